"""Reference cycles that pyws breaks at close, so that a closed connection is freed at
once, without waiting for Python's cycle collector (issue 25).

Most are pyws's own: the connection and its transport, heartbeat and bounds hold each
other's methods, and each part lets go at close. What remains are exceptions: a traceback
holds the frames it passed through, and so the objects in their locals. Where such an
exception sits in a cycle that is not pyws's (``websockets``' ``InvalidStatus`` and its
``Response`` hold each other; Pyodide's loop holds a cancelled task in one), pyws clears
the frames' locals with :func:`clear_frames`; the traceback still reads as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from types import FrameType

__all__ = ["clear_frames"]


def clear_frames(exceptions: Iterable[BaseException]) -> None:
    """Clear the locals of the frames in the tracebacks of ``exceptions``, their causes and
    contexts, and of the frames that called them (``f_back``, which a traceback's frames
    keep once they returned): the transport's ``data_received`` among them. A frame still
    running cannot be cleared, and is left as it is."""
    seen: set[int] = set()
    pending = list(exceptions)
    while pending:
        exc = pending.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None:
            frame: FrameType | None = tb.tb_frame
            while frame is not None and id(frame) not in seen:
                seen.add(id(frame))
                with contextlib.suppress(RuntimeError):  # running, or suspended
                    frame.clear()
                frame = frame.f_back
            tb = tb.tb_next
        pending += [e for e in (exc.__cause__, exc.__context__) if e is not None]
