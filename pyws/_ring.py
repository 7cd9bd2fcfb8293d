"""The reading end of the relay's ring (the writing end is ``pyws/_platform/relay.mjs``,
which describes the layout): plain Python over a :class:`Memory`, so that CPython tests it
against the real JavaScript writer (tests/model/test_relay_ring.py)."""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

HEADER_SLOTS = 8
WRITE, READ, WAITING, HELLO, CAPACITY = range(5)
RECORD_HEADER = 12
MORE = 1
_MASK = 0xFFFFFFFF
_RECORD = struct.Struct("<IIBBxx")


class Kind(enum.IntEnum):
    """What a record says; the payloads are described in relay.mjs."""

    CREATED = 1
    REFUSED = 2
    OPEN = 3
    TEXT = 4
    BINARY = 5
    BLOB = 6
    ERROR = 7
    CLOSE = 8
    BUFFERED = 9


@dataclass(frozen=True, slots=True)
class Record:
    """One whole record: a message's pieces already joined."""

    id: int
    kind: Kind
    payload: bytes


class Memory(Protocol):
    """The shared memory: Int32 header slots (atomic), and the data bytes."""

    def load(self, slot: int) -> int:
        """The slot's value, as the Int32 it is."""

    def store(self, slot: int, value: int) -> None: ...

    def exchange(self, slot: int, value: int) -> int:
        """Store ``value``; the slot's previous value."""

    def copy(self, start: int, end: int) -> bytes:
        """The data bytes ``[start, end)``; ``0 <= start <= end <= capacity``."""

    def wait(self, slot: int, value: int, timeout: float | None) -> None:
        """Block while the slot holds ``value``, at most ``timeout`` seconds (None: no
        bound); may return early."""


def int32(value: int) -> int:
    """``value`` modulo 2**32 as a signed Int32, as the header stores it."""
    value &= _MASK
    return value - (1 << 32) if value & 0x80000000 else value


class RingReader:
    """Reads the records the host wrote, joining the pieces of a large message.

    ``space`` is called (to post ``["space"]`` to the host) when the host waits for room.
    """

    def __init__(self, memory: Memory, capacity: int, space: Callable[[], None]) -> None:
        self._memory = memory
        self._capacity = capacity
        self._space = space
        self._read = memory.load(READ) & _MASK
        self._pieces: list[bytes] = []

    def available(self) -> bool:
        """Whether unread bytes are in the ring."""
        return (self._memory.load(WRITE) & _MASK) != self._read

    def read(self) -> list[Record]:
        """Every whole record written so far (a message whose last piece is not there yet
        is kept, and returned with it); frees their space at once."""
        memory = self._memory
        write = memory.load(WRITE) & _MASK
        size = (write - self._read) & _MASK
        if not size:
            return []
        start = self._read % self._capacity
        end = start + size
        if end <= self._capacity:
            data = memory.copy(start, end)
        else:
            data = memory.copy(start, self._capacity) + memory.copy(0, end - self._capacity)
        self._read = write
        memory.store(READ, int32(write))
        # After READ moved: the host sets WAITING, then looks at READ again (relay.mjs).
        if memory.exchange(WAITING, 0):
            self._space()
        return self._parse(data)

    def _parse(self, data: bytes) -> list[Record]:
        records = []
        position = 0
        while position < len(data):
            size, id, kind, flags = _RECORD.unpack_from(data, position)
            position += RECORD_HEADER
            payload = data[position : position + size]
            position += size
            if flags & MORE:
                self._pieces.append(payload)
                continue
            if self._pieces:
                self._pieces.append(payload)
                payload = b"".join(self._pieces)
                self._pieces = []
            records.append(Record(id, Kind(kind), payload))
        return records

    def wait(self, timeout: float | None) -> None:
        """Block until the host writes (or ``timeout`` seconds pass); returns at once when
        there is something to read."""
        write = self._memory.load(WRITE)
        if (write & _MASK) == self._read:
            self._memory.wait(WRITE, write, timeout)
