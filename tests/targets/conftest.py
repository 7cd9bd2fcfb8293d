"""The scenario suite's reports, one run per target and session (see harness/suite.py).

``--target NAME`` (repeatable, in tests/conftest.py) picks the targets; by default, all.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import pytest

from harness.aio import run_async
from harness.suite import TARGETS, TargetError, run_target

RUN_GUARD = 1800.0
"""Hang guard of one target's run; harness.suite's own idle guard stops a silent target."""


def selected_targets(config: pytest.Config) -> list[str]:
    chosen = config.getoption("target")
    return list(chosen or TARGETS)


@dataclass
class Run:
    """One target's run: its report, or why it did not report and how far it got."""

    target: str
    report: dict[str, Any] | None = None
    error: TargetError | None = None

    def result(self, scenario: str) -> dict[str, Any] | None:
        results = self.report["results"] if self.report else self.progress.results
        return next((r for r in results if r["name"] == scenario), None)

    @property
    def progress(self) -> Any:
        assert self.error is not None
        return self.error.progress


class Runs:
    """Runs each target once, when its first test asks, and keeps its report."""

    def __init__(self) -> None:
        self._runs: dict[str, Run] = {}

    def __call__(self, target: str) -> Run:
        if target not in self._runs:

            def say(line: str) -> None:
                print(f"[{target}] {line}", file=sys.stderr, flush=True)

            run = Run(target)
            try:
                run.report = run_async(run_target(TARGETS[target], say=say), RUN_GUARD)
            except TargetError as exc:
                run.error = exc
            self._runs[target] = run
        return self._runs[target]


@pytest.fixture(scope="session")
def suite_run() -> Runs:
    return Runs()
