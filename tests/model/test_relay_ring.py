"""The relay's ring (pyws.sync without JSPI), as a Hypothesis state machine: the real
JavaScript writer (``pyws/_platform/relay.mjs``, run by Node: tests/model/ring_writer.mjs)
and the real Python reader (``pyws/_ring.py``) over one memory, step by step.

The promise checked (docs/sync-relay.md): every record the page pushes reaches the worker
whole, once, in order, whatever the sizes (a message larger than the ring goes in pieces),
however far the reader falls behind (the page keeps what does not fit, and the reader asks
for more once it freed space: never a record left waiting with an empty ring), through the
wraparound of the data and of the 32-bit counters, and with a close pushed while the ring
is full arriving after everything before it.

The memory is mirrored: after each writer step Node returns its side of the header and the
data; the reader's side (READ, WAITING) goes with the next step. The threads' interleaving
is reduced to whole steps; within one, the writer sets WAITING and then looks at READ
again, the reader moves READ and then takes WAITING, which sequentially consistent Atomics
make safe (relay.mjs says why).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pyws._ring import READ, RECORD_HEADER, WAITING, WRITE, Kind, Record, RingReader, int32
from tests.model.settings import ROOT, run_machine

DRIVER = Path(__file__).with_name("ring_writer.mjs")
RELAY = ROOT / "pyws" / "_platform" / "relay.mjs"
NODE = shutil.which("node")


class Writer:
    """The Node process running the real writer."""

    def __init__(self) -> None:
        assert NODE is not None
        self.process = subprocess.Popen(
            [NODE, str(DRIVER), str(RELAY)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def step(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the Node writer stopped (exit {self.process.poll()})"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


class Mirror:
    """The reader's view of the shared memory (pyws._ring.Memory)."""

    def __init__(self, capacity: int, start: int) -> None:
        self.header = [0] * 8
        self.header[WRITE] = self.header[READ] = int32(start)
        self.data = bytes(capacity)

    def load(self, slot: int) -> int:
        return self.header[slot]

    def store(self, slot: int, value: int) -> None:
        self.header[slot] = value

    def exchange(self, slot: int, value: int) -> int:
        old, self.header[slot] = self.header[slot], value
        return old

    def copy(self, start: int, end: int) -> bytes:
        return self.data[start:end]

    def wait(self, slot: int, value: int, timeout: float | None) -> None:
        raise AssertionError("the machine never blocks")


_writer: list[Writer] = []


class RingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.writer = _writer[0]
        self.pushed: list[Record] = []
        self.got: list[Record] = []
        self.space_asked = False
        self.queued = 0
        self.closed = False

    @initialize(
        capacity=st.sampled_from([32, 64, 256]), start=st.sampled_from([0, 2**31 - 20, 2**32 - 20])
    )
    def new(self, capacity: int, start: int) -> None:
        self.capacity = capacity
        self.memory = Mirror(capacity, start)
        self.reader = RingReader(self.memory, capacity, self.ask_space)
        self.apply(self.writer.step(op="new", capacity=capacity, start=int32(start)))

    def ask_space(self) -> None:
        self.space_asked = True  # the reader posted ["space"]; the page handles it later

    def apply(self, answer: dict[str, Any]) -> None:
        self.memory.header[WRITE] = answer["write"]
        self.memory.header[WAITING] = answer["waiting"]
        self.memory.data = bytes.fromhex(answer["data"])
        self.queued = answer["queued"]

    def writer_step(self, op: str, **fields: Any) -> None:
        header = self.memory.header
        answer = self.writer.step(op=op, read=header[READ], waiting=header[WAITING], **fields)
        self.apply(answer)

    def push(self, record: Record) -> None:
        self.pushed.append(record)
        self.writer_step("push", id=record.id, kind=int(record.kind), payload=record.payload.hex())

    @precondition(lambda self: not self.closed)
    @rule(
        id=st.integers(1, 3),
        kind=st.sampled_from([Kind.TEXT, Kind.BINARY, Kind.BLOB, Kind.OPEN, Kind.ERROR]),
        size=st.sampled_from([0, 1, 5, 19, 20, 21, 52, 63, 64, 200, 700]),
        seed=st.integers(0, 255),
    )
    def page_reports(self, id: int, kind: Kind, size: int, seed: int) -> None:
        payload = bytes((seed + i) % 256 for i in range(size))
        if size > self.capacity - RECORD_HEADER:
            event("a message larger than the ring")
        self.push(Record(id, kind, payload))

    @precondition(lambda self: not self.closed and self.ring_full())
    @rule(code=st.sampled_from([1000, 1006]))
    def page_closes_while_full(self, code: int) -> None:
        event("a close while the ring is full")
        self.push(Record(1, Kind.CLOSE, json.dumps({"code": code}).encode()))
        self.closed = True

    @rule()
    def worker_reads(self) -> None:
        if self.used() == 0:
            event("a read with nothing there")
        self.got.extend(self.reader.read())

    @precondition(lambda self: self.space_asked)
    @rule()
    def page_gets_the_space_message(self) -> None:
        self.space_asked = False
        self.writer_step("space")

    @rule(times=st.integers(2, 6))
    def page_reports_while_the_worker_falls_behind(self, times: int) -> None:
        if self.closed:
            return
        event("the reader falls behind")
        for n in range(times):
            self.push(Record(2, Kind.BINARY, bytes([n]) * (self.capacity // 2)))

    def used(self) -> int:
        header = self.memory.header
        return (header[WRITE] - header[READ]) & 0xFFFFFFFF

    def ring_full(self) -> bool:
        return self.capacity - self.used() < RECORD_HEADER + 1

    @invariant()
    def nothing_lost_duplicated_or_reordered(self) -> None:
        got = self.got
        assert got == self.pushed[: len(got)], (got, self.pushed)
        if self.closed and got and got[-1].kind == Kind.CLOSE:
            assert got == self.pushed, "the close came before what was pushed first"

    @invariant()
    def a_waiting_page_is_always_woken(self) -> None:
        # The page holds records, the ring is empty: the reader must have asked for more,
        # else both sides wait for ever.
        if self.queued and self.used() == 0:
            assert self.space_asked, "records held in the page with an empty ring and no ask"

    def teardown(self) -> None:
        # Drain: what the page holds arrives once the reader keeps reading and asking.
        for _ in range(10_000):
            self.got.extend(self.reader.read())
            if self.space_asked:
                self.page_gets_the_space_message()
            elif not self.queued and self.used() == 0:
                break
        assert self.got == self.pushed, "records lost or left behind"
        if self.used() + len(self.got) and self.capacity:
            event("wrapped around" if self.wrapped() else "no wraparound")

    def wrapped(self) -> bool:
        total = sum(RECORD_HEADER + len(r.payload) for r in self.pushed)
        return total > self.capacity


@pytest.fixture(scope="module")
def writer() -> Iterator[Writer]:
    if NODE is None:
        pytest.fail("the ring machine runs the real writer in Node, and there is no node")
    process = Writer()
    _writer.append(process)
    yield process
    _writer.remove(process)
    process.close()


def test_relay_ring(writer: Writer) -> None:
    run_machine(RingMachine, ci_examples=150)
