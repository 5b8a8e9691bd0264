"""The reliability suite (see RELIABILITY.md): a package, so that its conftest does not shadow tests/conftest.py."""
