"""Smoke test of the benchmark: ``python -m bench --quick`` runs every contender and
scenario once at tiny sizes. It asserts that each finishes with its data intact; it makes
no timing assertion (a CI machine's numbers mean nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import ROOT


def test_quick_bench_runs_every_contender(tmp_path: Path) -> None:
    if not (ROOT / "build" / "pyodide" / "pyodide-lock.json").is_file():
        pytest.fail("build/pyodide is missing: run `make setup` first")
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,  # about 60 s alone; the CI machine also runs other tests
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    data = json.loads(out.read_text())

    assert data["page"]["crossOriginIsolated"] is True
    assert data["page"]["pyscript"]["ok"], data["page"]["pyscript"]
    assert data["errors"] == []
    done = {(r["case"], r["contender"]): r for r in data["runs"]}
    assert data["plan"]["quick"] is True
    # WebSocketStream is skipped, with a note, where the browser lacks it.
    skipped = set(data["skipped"]) - {"pyscript"}
    assert skipped <= {"wss", "pyws_stream"}, data["skipped"]
    for case in data["plan"]["cases"]:
        for contender in set(case["contenders"]) - skipped:
            name = f"{case['name']}/{contender}"
            run = done.get((case["name"], contender))
            assert run is not None, f"{name} did not run"
            assert run["error"] is None, run["error"]
            assert run["result"]["intact"], f"{name}: data mismatch"
            assert run["result"]["rate"] > 0
            if contender == "pyws_jsq":  # every message reached Python, one way or the other
                counts = run["result"]["crossings"]
                assert counts["handler_calls"] + counts["taken"] > 0, counts
    for kind in ("cold", "warm"):
        (pair,) = data["startup"][kind]
        assert pair["base"] > 0 and pair["pyws"] > 0
    assert "| RTT, " in proc.stdout  # the table was printed
