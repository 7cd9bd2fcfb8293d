"""``python -m bench``: measure, print the table, write it into docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from bench import pinning, report, runner
from bench.plan import LABELS, full_plan, quick_plan, select
from harness import ROOT

DOC = ROOT / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, one repetition: a smoke test only"
    )
    parser.add_argument("--reps", type=int, default=5, help="repetitions (default 5, min 1)")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="run the whole bench N times (fresh server, browser and page each); report "
        "the median of the per-run ratios and each run's (default 1)",
    )
    parser.add_argument(
        "--browser",
        choices=sorted(runner.BROWSERS),
        default="chromium",
        help="where the page runs (default chromium); firefox is Firefox ESR, webkit is "
        "WebKitGTK's MiniBrowser, each a plain subprocess with nothing attached; --write "
        "puts their tables in a section of their own",
    )
    parser.add_argument(
        "--cpus",
        type=int,
        metavar="N",
        help="pin every process of the run (this harness, the servers, the browser and its "
        "helpers) to the first N cores this process may use: --cpus 1 is the steadiest "
        "judge of a design on a small machine (default: not pinned)",
    )
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up runs")
    parser.add_argument("--startup-only", action="store_true", help="only the start-up runs")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write raw results")
    parser.add_argument(
        "--write",
        type=Path,
        nargs="?",
        const=DOC,
        metavar="MD",
        help=f"write the table into MD between its markers (default {DOC.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--cases",
        type=lambda v: v.split(","),
        metavar="A,B",
        help="only these cases (rtt, pipelined, binary, blob, fanin, binary_deflate)",
    )
    parser.add_argument(
        "--contenders",
        type=lambda v: v.split(","),
        metavar="A,B",
        help=f"only these contenders, raw JS always included ({', '.join(LABELS)}); "
        "the receive designs of issue 16 (pyws_inline, pyws_defer, pyws_timed, "
        "pyws_adaptive) and the send designs of issue 29 (pyws_send_*) run only when named "
        "here",
    )
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cores = None
    if args.cpus is not None:
        try:
            cores = pinning.pin(args.cpus)  # before any thread or subprocess starts
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    plan = quick_plan() if args.quick else full_plan(args.reps)
    if args.cases or args.contenders:
        try:
            plan = select(plan, args.cases, args.contenders)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    measurements = runner.run(
        plan,
        startup=not args.no_startup,
        scenarios=not args.startup_only,
        runs=args.runs,
        browser=args.browser,
        cores=cores,
    )
    if args.json:  # first, so that the raw runs survive any problem below
        args.json.write_text(json.dumps(asdict(measurements), indent=1))
    table = report.render(measurements)
    print(table)
    if args.write:
        report.write_into(args.write, table, args.browser, args.cpus)
        print(f"wrote {args.write}", file=sys.stderr)
    if measurements.errors:
        print("errors:\n  " + "\n  ".join(measurements.errors), file=sys.stderr)
        return 1
    return 0
