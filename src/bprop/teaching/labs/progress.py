"""A learner's progress through the labs, remembered in one small JSON file.

The file is ``labs.json`` in bprop's data folder ($BPROP_DATA_DIR, else
~/.cache/bprop):

    {"version": 1, "solved": [5, 11], "gave_up": [3], "tries": {"5": 2}}

It is read through ``bprop.storage.files.read_json_file`` (a regular file,
at most MAX_BYTES, bounded depth) and written atomically. Progress is a
convenience: a missing, unreadable or malformed file counts as no progress
(entries that are not lab numbers are dropped), and a file that cannot be
written leaves the grading as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...datasets.mnist import default_root
from ...errors import DataError
from ...storage.files import read_json_file, write_json
from .exercises import EXERCISES

MAX_BYTES = 64 << 10  # twelve labs take a few hundred bytes
VERSION = 1


@dataclass
class Progress:
    """solved, gave_up : sets of lab numbers; tries : lab number → wrong answers given."""

    solved: set = field(default_factory=set)
    gave_up: set = field(default_factory=set)
    tries: dict = field(default_factory=dict)

    def status(self, number) -> str:
        """'solved', 'gave_up', 'tried' or ''."""
        if number in self.solved:
            return "solved"
        if number in self.gave_up:
            return "gave_up"
        return "tried" if self.tries.get(number) else ""


def path():
    return default_root() / "labs.json"


def load() -> Progress:
    """The remembered progress; an absent or unusable file gives an empty one."""
    try:
        data = read_json_file(path(), "lab progress file", MAX_BYTES, DataError)
    except (OSError, DataError):
        return Progress()
    if not isinstance(data, dict):
        return Progress()
    numbers = {ex.number for ex in EXERCISES}

    def labs(key):
        value = data.get(key)
        return {n for n in value if type(n) is int and n in numbers} if isinstance(value, list) else set()

    tries = data.get("tries")
    tries = (
        {int(k): v for k, v in tries.items() if k.isdigit() and int(k) in numbers and type(v) is int and v > 0}
        if isinstance(tries, dict)
        else {}
    )
    return Progress(labs("solved"), labs("gave_up"), tries)


def record(number, verdict) -> None:
    """Remember an answer to lab ``number``: 'right', 'gave_up', or a wrong verdict (one more try)."""
    progress = load()
    if verdict == "right":
        progress.solved.add(number)
    elif verdict == "gave_up":
        progress.gave_up.add(number)
    else:
        progress.tries[number] = progress.tries.get(number, 0) + 1
    data = {
        "version": VERSION,
        "solved": sorted(progress.solved),
        "gave_up": sorted(progress.gave_up),
        "tries": {str(k): v for k, v in sorted(progress.tries.items())},
    }
    try:
        write_json(path(), data)
    except OSError:
        pass  # a read-only data folder: the answer was graded all the same
