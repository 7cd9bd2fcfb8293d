"""The models: what pyws's documentation promises, as plain data the machines compare to.

A :class:`Msg` is one message as the peer sent it and as the browser delivered it; its
:meth:`Msg.expect` says what ``recv(decode=...)`` must return for it. :class:`BoundsModel`
is the documented bounds algorithm (``pyws.bounds``' docstring) over the model's queue.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from pyws.bounds import OVERFLOW_CODE, OVERFLOW_REASON

OK_CODES = (1000, 1001, 1005)
"""A clean close with one of these is ConnectionClosedOK; anything else ConnectionClosedError."""


class Fail1007:
    """What ``recv(decode=True)`` must do with binary that is not UTF-8: what ``websockets``
    does, consume it and fail the connection with 1007 (issue 21, item 5)."""

    def __repr__(self) -> str:
        return "<fails the connection with 1007>"


FAIL_1007 = Fail1007()


@dataclass(frozen=True)
class Msg:
    kind: Literal["text", "binary"]
    payload: str | bytes
    blob: bool = False
    """Delivered as a Blob (binary_type "blob" when it arrived)."""

    @property
    def size(self) -> int:
        """Its bytes on the wire: what max_queue_bytes counts."""
        payload = self.payload
        return len(payload.encode("utf-8")) if isinstance(payload, str) else len(payload)

    def expect(self, decode: bool | None) -> object:
        """What recv(decode=decode) must return, as :func:`tests.model.sim.data_of` shows it."""
        payload = self.payload
        if isinstance(payload, str):
            return payload.encode("utf-8") if decode is False else payload
        if decode is None:
            return ("blob", payload) if self.blob else payload
        if decode is False:
            return payload
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return FAIL_1007

    def __repr__(self) -> str:
        how = "blob" if self.blob else self.kind
        return f"{how}:{self.payload!r}"


@dataclass(frozen=True)
class Close:
    code: int
    reason: str | None  # None: any reason
    clean: bool


@dataclass
class BoundsModel:
    """max_queue, max_queue_bytes and overflow, as pyws.bounds documents them."""

    max_queue: int | None = None
    max_queue_bytes: int | None = None
    overflow: str = "close"
    queue: deque[Msg] = field(default_factory=deque)
    dropped: int = 0

    def over(self, extra: int) -> bool:
        if self.max_queue is not None and len(self.queue) + 1 > self.max_queue:
            return True
        nbytes = sum(m.size for m in self.queue)
        return self.max_queue_bytes is not None and nbytes + extra > self.max_queue_bytes

    def arrive(self, msg: Msg) -> Close | None:
        """Queue, drop or refuse ``msg``; the close it causes, if any."""
        if not self.over(msg.size):
            self.queue.append(msg)
        elif self.overflow == "close":
            return Close(OVERFLOW_CODE, OVERFLOW_REASON, False)
        elif self.overflow == "drop_newest":
            self.dropped += 1
        else:
            while self.queue and self.over(msg.size):
                self.queue.popleft()
                self.dropped += 1
            if self.over(msg.size):
                self.dropped += 1
            else:
                self.queue.append(msg)
        return None
