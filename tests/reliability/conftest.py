"""The reliability suite's hooks: the tally of cases tried, inputs fuzzed, kills survived.

The tally is printed at the end of every run that includes this folder, so
that RELIABILITY.md can quote the numbers of the last run. The helpers live
in reliability_helpers.py.
"""

from .reliability_helpers import TALLY


def pytest_configure(config):
    # hypothesis, when it reports a failing example, imports mypy_extensions.TypedDict, which warns; with
    # filterwarnings = error that warning would hide the failure behind an INTERNALERROR.
    config.addinivalue_line("filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


def pytest_terminal_summary(terminalreporter):
    if TALLY:
        terminalreporter.write_sep("-", "reliability tally")
        for key in sorted(TALLY):
            terminalreporter.write_line(f"{key}: {TALLY[key]}")
