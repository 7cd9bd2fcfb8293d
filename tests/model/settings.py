"""Hypothesis profiles for the machines, and running one in a thread of its own.

``ci`` (the default, what ``make test`` runs): derandomised and bounded, so a run is
repeatable and short. ``fuzz`` (``make fuzz``, ``PYWS_HYPOTHESIS=fuzz``): random, many
examples, with the example database in build/hypothesis so that a failure found once is
tried first on every later run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from tests.model.sim import in_thread

ROOT = Path(__file__).resolve().parents[2]
PROFILE = os.environ.get("PYWS_HYPOTHESIS", "ci")

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=int(os.environ.get("PYWS_HYPOTHESIS_EXAMPLES", "400")),
    stateful_step_count=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(ROOT / "build" / "hypothesis"),
    max_examples=int(os.environ.get("PYWS_HYPOTHESIS_EXAMPLES", "2000")),
    stateful_step_count=80,
    deadline=None,
    print_blob=True,
    phases=list(Phase),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


FUZZ_SECONDS = float(os.environ.get("PYWS_FUZZ_SECONDS", "150"))
"""``fuzz``: how long each machine runs, in rounds of ``max_examples`` fresh random examples."""


def run_machine(
    machine: type[RuleBasedStateMachine],
    *,
    ci_examples: int | None = None,
    ci_steps: int | None = None,
    fuzz_examples: int | None = None,
) -> None:
    """Run ``machine`` under the selected profile, in a thread with no loop running.

    Under ``fuzz``, round after round until :data:`FUZZ_SECONDS` have passed (each round
    replays the database first, then draws new examples), then prints the count.
    ``ci_examples`` and ``ci_steps`` lower the ``ci`` profile's bounds for a machine whose
    steps go over a real network (never above the profile's own); ``fuzz_examples`` the
    ``fuzz`` profile's examples per round, so that a round of such a machine ends within
    about :data:`FUZZ_SECONDS`.
    """
    chosen = settings.get_profile(PROFILE)
    if PROFILE == "fuzz" and fuzz_examples is not None:
        chosen = settings(chosen, max_examples=min(fuzz_examples, chosen.max_examples))
    if PROFILE != "fuzz" and (ci_examples is not None or ci_steps is not None):
        chosen = settings(
            chosen,
            max_examples=min(ci_examples or chosen.max_examples, chosen.max_examples),
            stateful_step_count=min(
                ci_steps or chosen.stateful_step_count, chosen.stateful_step_count
            ),
        )
    if PROFILE != "fuzz":
        in_thread(lambda: run_state_machine_as_test(machine, settings=chosen))
        return
    counted = type(machine.__name__, (machine,), {"__init__": _counting(machine)})
    start = time.monotonic()
    rounds = 0
    while time.monotonic() - start < FUZZ_SECONDS:
        in_thread(lambda: run_state_machine_as_test(counted, settings=chosen))
        rounds += 1
    elapsed = time.monotonic() - start
    line = (
        f"fuzz {machine.__name__}: {_examples[0]} examples in {rounds} rounds, "
        f"{elapsed:.0f} s, no failure"
    )
    print(line)
    with (ROOT / "build" / "fuzz.log").open("a") as log:
        log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {line}\n")
    _examples[0] = 0


_examples = [0]


def _counting(machine: type[RuleBasedStateMachine]) -> Callable[[Any], None]:
    def __init__(self: Any) -> None:
        _examples[0] += 1
        machine.__init__(self)

    return __init__
