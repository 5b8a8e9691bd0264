"""``python -m bprop``: the same as the ``bprop`` command."""

from .cli import main

raise SystemExit(main())
