"""Loading the learner's code: ``PATH.py:Name`` run in this process, as a test runner does.

The file is executed like an imported module (its top-level code runs; an
``if __name__ == "__main__":`` block does not), with its own folder first on
``sys.path`` so that its neighbours import. Anything that goes wrong in the
learner's code becomes one ``LearnerCodeError`` line that quotes *their* line
and exception, never a bprop traceback.
"""

from __future__ import annotations

import importlib.util
import linecache
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from ...errors import InvalidArgument, LearnerCodeError


@dataclass
class Target:
    """What ``PATH.py:Name`` named: the file, the name and the object it holds."""

    path: Path
    name: str
    obj: object
    module: object = None

    def sibling(self, name: str) -> Target:
        """Another name of the same file (the per-sample loop of ``--compare-loop``), without running it again."""
        if not hasattr(self.module, name):
            raise LearnerCodeError(f"{self.path.name} defines no {name!r} (named by --compare-loop).")
        return Target(self.path, name, getattr(self.module, name), self.module)


def split_target(spec: str) -> tuple[Path, str]:
    """``'net.py:Network'`` → (Path('net.py'), 'Network'); a malformed spec is refused."""
    path, sep, name = str(spec).rpartition(":")
    if not sep or not path or not name.isidentifier():
        raise InvalidArgument(
            f"TARGET must be PATH.py:Name (a file and the class or function in it), got {spec!r}; "
            "e.g. network.py:Network or mybackprop.py:backprop."
        )
    return Path(path), name


def load_target(spec: str) -> Target:
    """Run the learner's file and return the object it names; one clear line if that fails."""
    path, name = split_target(spec)
    if not path.is_file():
        what = "is not a regular file" if path.exists() else "does not exist"
        raise InvalidArgument(f"{str(path)!r} {what} (TARGET is PATH.py:Name); check the path.")
    path = path.resolve()
    module_name = f"bprop_check_{abs(hash(str(path)))}_{path.stem}"
    spec_ = importlib.util.spec_from_file_location(module_name, path)
    if spec_ is None or spec_.loader is None:
        raise InvalidArgument(f"{path.name} cannot be run as Python; TARGET must be a .py file.")
    module = importlib.util.module_from_spec(spec_)
    sys.modules[module_name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec_.loader.exec_module(module)
    except BaseException as e:  # the learner's file: any failure is theirs to see, in one line
        if isinstance(e, KeyboardInterrupt):
            raise
        raise LearnerCodeError(f"{path.name} failed to import: {learner_line(e, path)}")
    finally:
        sys.path.remove(str(path.parent))
    if not hasattr(module, name):
        defined = sorted(k for k, v in vars(module).items() if not k.startswith("_") and callable(v))
        raise LearnerCodeError(
            f"{path.name} defines no {name!r}; it defines {', '.join(defined) or 'nothing callable'}."
        )
    return Target(path, name, getattr(module, name), module)


def learner_line(error: BaseException, path: Path | None = None) -> str:
    """``ValueError: shapes … (network.py line 57: delta = np.dot(w, delta))``: the error and the learner's line.

    The line is the innermost frame of the learner's file (else the innermost
    frame outside bprop), so that the message points into their code.
    """
    what = f"{type(error).__name__}: {error}".rstrip(": ")
    if isinstance(error, SyntaxError) and error.lineno:
        return f"{what} ({Path(error.filename or '?').name} line {error.lineno})"
    frames = traceback.extract_tb(error.__traceback__)
    package = str(Path(__file__).resolve().parents[2])
    theirs = [f for f in frames if path is not None and Path(f.filename) == path]
    theirs = theirs or [f for f in frames if not f.filename.startswith(package)]
    if not theirs:
        return what
    frame = theirs[-1]
    source = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
    return f"{what} ({Path(frame.filename).name} line {frame.lineno}: {source})"
