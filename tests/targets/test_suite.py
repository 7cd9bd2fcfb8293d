"""One pytest test per (target, scenario) of the one scenario suite, and each target's facts.

A target runs the whole suite once (tests/targets/conftest.py); each test then reads its
scenario's result: passed, failed with the scenario's traceback, or skipped for the reason
the suite gives (a platform feature the target lacks). A target that crashed or hung fails
the scenario it was running with its output, and those it never reached.
"""

from __future__ import annotations

import pytest

from harness.suite import TARGETS
from tests.scenarios import suite
from tests.targets.conftest import Runs, selected_targets

SCENARIOS = [s.name for s in suite.collect()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    targets = selected_targets(metafunc.config)
    if "scenario" in metafunc.fixturenames:
        cases = [
            pytest.param(t, s, id=f"{t}:{s}")
            for t in targets
            for s in SCENARIOS
            if TARGETS[t].runs(s)
        ]
        metafunc.parametrize(("target", "scenario"), cases)
    elif "target" in metafunc.fixturenames:
        metafunc.parametrize("target", targets)


def test_facts(suite_run: Runs, target: str) -> None:
    """Where the suite ran: the Pyodide and Python versions, the context, the fast path."""
    run = suite_run(target)
    if run.report is None:
        pytest.fail(str(run.error), pytrace=False)
    facts = run.report["facts"]
    expected = TARGETS[target].expected_facts()
    got = {
        "python": ".".join(facts["python"].split(".")[:2]),
        "pyodide": facts.get("pyodide"),
        "fast_wakeup": facts["fast_wakeup"],
        "context": facts.get("context"),
        "location": "location" in facts["features"],
        "transport": facts.get("transport"),
        "sync_mode": facts.get("sync_mode"),
    }
    assert {k: got[k] for k in expected} == expected, facts


def test_scenario(suite_run: Runs, target: str, scenario: str) -> None:
    run = suite_run(target)
    result = run.result(scenario)
    if result is None and run.error is not None:
        if run.progress.running == scenario or not run.progress.results:
            pytest.fail(f"{scenario} did not finish: {run.error}", pytrace=False)
        last = str(run.error).splitlines()[0]
        where = f"during {run.progress.running}" if run.progress.running else "between scenarios"
        pytest.fail(f"not reached: {target} stopped {where}: {last}", pytrace=False)
    if result is None:
        pytest.fail(f"{scenario} is not in {target}'s report", pytrace=False)
    if result["outcome"] == "skipped":
        pytest.skip(result["detail"])
    if result["outcome"] == "failed":
        pytest.fail(result["detail"], pytrace=False)
