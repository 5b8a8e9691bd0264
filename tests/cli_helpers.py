"""What the in-process command-line tests share: a scratch working directory and ``run``."""

import pytest

from bprop.cli import main


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Run every command in tmp_path, away from the repository and the real data cache.

    Autouse in the modules that import it: ``from cli_helpers import isolated, run``.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BPROP_DATA_DIR", str(tmp_path / "bprop-data-root"))


def run(capsys, *args):
    """main(args) → (status, stdout, stderr)."""
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err
