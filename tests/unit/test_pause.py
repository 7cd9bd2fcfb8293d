"""``overflow="pause"`` and ``transport=``: the bounds' forms, the choice of transport and its
refusals, and a model-based run of pause and resume over the fake transport."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pyws import _platform
from pyws._platform import Backend, choose
from pyws.bounds import check_bounds, size_of
from tests.unit.fake import FakeTransport, open_socket


class StreamFake(FakeTransport):
    """Stands for the WebSocketStream transport."""


class NoPauseFake(FakeTransport):
    can_pause = False


def _parse(url: str) -> None:
    return None


def backend(stream: bool, can_pause: bool = False) -> Backend:
    return Backend(
        NoPauseFake, _parse, True, stream=StreamFake if stream else None, can_pause=can_pause
    )


# -- the bounds --------------------------------------------------------------------------


def test_a_bound_is_high_or_high_and_low() -> None:
    bounds = check_bounds(16, None, "pause")
    assert (bounds.max_queue, bounds.low_queue) == (16, 4)  # low = high // 4, as websockets
    bounds = check_bounds((16, 10), (2**20, None), "pause")
    assert (bounds.max_queue, bounds.low_queue) == (16, 10)
    assert (bounds.max_queue_bytes, bounds.low_queue_bytes) == (2**20, 2**18)
    assert check_bounds((1, 0), None, "pause").low_queue == 0
    assert check_bounds(None, None, "pause").pauses is False  # no bound: nothing to pause at


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ((4, 5), ValueError, r"max_queue=\(4, 5\): the low-water mark must be between 0 and"),
        ((4, -1), ValueError, "low-water mark must be between 0 and the high one"),
        ((4,), ValueError, r"an int, a \(high, low\) tuple or None, not \(4,\)"),
        ((4, "2"), TypeError, "low-water mark must be an int or None, not '2'"),
        ("8", TypeError, "max_queue must be an int, a \\(high, low\\) tuple or None, not '8'"),
        (0, ValueError, "max_queue must be >= 1 or None"),
    ],
)
def test_bad_bounds_name_the_value(value: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        check_bounds(value, None, "pause")


def test_a_bad_overflow_names_every_policy() -> None:
    with pytest.raises(ValueError, match="'close', 'drop_oldest', 'drop_newest', 'pause', not"):
        check_bounds(4, None, "block")


# -- choosing the transport ---------------------------------------------------------------

PAUSE = check_bounds(4, None, "pause")
CLOSE = check_bounds(4, None, "close")


def test_auto_keeps_websocket_unless_pause_needs_the_stream() -> None:
    assert choose(backend(stream=True), "auto", CLOSE) is NoPauseFake
    assert choose(backend(stream=True), "auto", PAUSE) is StreamFake
    assert choose(backend(stream=True), "stream", CLOSE) is StreamFake
    assert choose(backend(stream=True), "websocket", CLOSE) is NoPauseFake
    # CPython: its one transport pauses
    assert choose(backend(stream=False, can_pause=True), "auto", PAUSE) is NoPauseFake


def test_auto_prefers_the_stream_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_platform, "auto_prefers", "stream")
    assert choose(backend(stream=True), "auto", CLOSE) is StreamFake
    assert choose(backend(stream=False), "auto", CLOSE) is NoPauseFake  # where there is one


def test_refusals_say_why_and_what_works() -> None:
    with pytest.raises(ValueError, match="transport must be one of 'auto', 'websocket', 'stream'"):
        choose(backend(stream=True), "tcp", CLOSE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"transport='stream' needs WebSocketStream, and .* none"):
        choose(backend(stream=False), "stream", CLOSE)
    with pytest.raises(ValueError, match="cannot hold a sender back") as caught:
        choose(backend(stream=False), "auto", PAUSE)
    assert "overflow='close', 'drop_oldest', 'drop_newest'" in str(caught.value)
    with pytest.raises(ValueError, match=r"transport='websocket' cannot .* use transport='stream'"):
        choose(backend(stream=True), "websocket", PAUSE)


# -- pausing, against a model -----------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
async def test_pause_and_resume_match_the_model(seed: int) -> None:
    """Random arrivals and reads: every message comes out once, in order; the queue stays
    within the high-water mark; reading is paused exactly from the high mark down to the
    low one; nothing is dropped or closed."""
    rng = random.Random(seed)
    by_count = rng.random() < 0.5
    high, low = rng.randint(1, 8), 0
    low = rng.randint(0, high)
    bounds: dict[str, Any] = (
        {"max_queue": (high, low), "max_queue_bytes": None}
        if by_count
        else {"max_queue": None, "max_queue_bytes": (high * 10, low * 10)}
    )
    ws, fake = open_socket(bounds=check_bounds(overflow="pause", **bounds))
    limiter = ws._limiter
    assert limiter is not None
    sent: list[str] = []
    got: list[Any] = []

    def queued() -> int:
        return len(ws._messages) if by_count else sum(size_of(m) for m in ws._messages)

    top, bottom = (high, low) if by_count else (high * 10, low * 10)
    for _ in range(300):
        if rng.random() < 0.55:
            message = f"{len(sent)}".ljust(rng.randint(4, 10), "x")  # 4 to 10 bytes
            sent.append(message)
            fake.receive(message)
        elif ws._messages:
            got.append(await ws.recv())
            if limiter.paused:  # still above the low-water mark, or resumed and refilled
                assert queued() > bottom or queued() >= top, (queued(), bottom, top)
        assert fake.paused == limiter.paused
        if by_count:
            assert len(ws._messages) <= high
        else:  # a message may cross the mark: one message over at most
            assert queued() < top + 10
        if queued() >= top:
            assert fake.paused
    while ws._messages or fake.held:
        got.append(await ws.recv())
    assert got == sent
    assert (ws.dropped, fake.closes, fake.paused) == (0, [], False)
