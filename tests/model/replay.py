"""Replaying a rule sequence a machine once failed on: the machines' explicit examples.

Hypothesis has no ``@example`` for a ``RuleBasedStateMachine``, so each failure it found
is kept as a plain test that replays the shrunk steps exactly as Hypothesis printed them
(``state.rule(arg=...)``, the invariant lines left out), with every invariant checked after
each step and ``teardown()`` at the end, as Hypothesis runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis.stateful import RuleBasedStateMachine

from tests.model.sim import in_thread


class _Checked:
    """The machine, checking its invariants after each rule called on it."""

    def __init__(self, machine: RuleBasedStateMachine) -> None:
        self._machine = machine

    def __getattr__(self, name: str) -> Callable[..., None]:
        rule = getattr(self._machine, name)

        def step(*args: Any, **kwargs: Any) -> None:
            rule(*args, **kwargs)
            for invariant in self._machine.invariants:
                invariant.function(self._machine)

        return step


def replay[M: RuleBasedStateMachine](machine: type[M], steps: Callable[[Any], None]) -> None:
    """Run ``steps(state)`` on a fresh ``machine``, as Hypothesis would, in a thread."""

    def run() -> None:
        state = machine()
        try:
            steps(_Checked(state))
        finally:
            state.teardown()

    in_thread(run)
