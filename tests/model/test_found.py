"""Every failure the machines found, replayed as an explicit example (``tests.model.replay``).

Each is the shrunk counterexample exactly as Hypothesis printed it on the code of ac8814b
(before issue 21's fixes), invariant lines left out; docs/reliability.md lists what each
showed. They run in ``make test`` with the machines, and pass on the fixed code.
"""

from __future__ import annotations

from tests.model.replay import replay
from tests.model.test_heartbeat import HeartbeatMachine
from tests.model.test_reconnecting import ReconnectingMachine

# -- Heartbeat ------------------------------------------------------------------------------


def test_heartbeat_reply_in_blob_mode() -> None:
    """Issue 21 item 7: recv() returned the reply b'pong', as a Blob."""

    def steps(state: HeartbeatMachine) -> None:
        state.open(
            interval=0.5,
            timeout=0.5,
            message="ping",
            reply=b"pong",
            binary_type="blob",
            close_timeout=1.0,
        )
        state.message_arrives(payload=b"pong")
        state.app_reads_everything()

    replay(HeartbeatMachine, steps)


def test_heartbeat_gives_up_during_close() -> None:
    """Issue 21, lower priority: a close slower than interval + timeout ended as 1006
    "heartbeat timeout" (close_timeout 4 s: the close was still waiting for the peer)."""

    def steps(state: HeartbeatMachine) -> None:
        state.open(
            interval=0.5,
            timeout=0.5,
            message="ping",
            reply=None,
            binary_type="bytes",
            close_timeout=4.0,
        )
        state.page_closes()
        state.clock_advances(delta=1.0)

    replay(HeartbeatMachine, steps)


def test_heartbeat_beats_the_close_timeout() -> None:
    """The same with close_timeout 1 s: "heartbeat timeout" where the close's own
    timeout (1006, "") was due at the same instant."""

    def steps(state: HeartbeatMachine) -> None:
        state.open(
            interval=0.5,
            timeout=0.5,
            message="ping",
            reply=None,
            binary_type="bytes",
            close_timeout=1.0,
        )
        state.page_closes()
        state.clock_advances(delta=1.0)

    replay(HeartbeatMachine, steps)


# -- ReconnectingWebSocket ------------------------------------------------------------------


def test_reconnecting_late_reader() -> None:
    """Issue 21 item 1: a reader late across a reconnect got c1-m1; c0-m0 was lost."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.network_accepts()
        state.server_sends()
        state.server_closes(close=(1011, "boom", True))
        state.network_accepts()
        state.server_sends()
        state.app_recv()

    replay(ReconnectingMachine, steps)


def test_reconnecting_late_reader_waits() -> None:
    """Issue 21 item 1: with nothing on the new connection, recv() waited; c0-m0 was lost."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.network_accepts()
        state.server_sends()
        state.server_closes(close=(1011, "boom", True))
        state.network_accepts()
        state.app_recv()

    replay(ReconnectingMachine, steps)


def test_reconnecting_late_reader_after_close() -> None:
    """Issue 21 item 1: after close(), recv() raised ConnectionClosedOK; c0-m0 was lost."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.network_accepts()
        state.server_sends()
        state.server_closes(close=(1011, "boom", True))
        state.network_accepts()
        state.app_closes(code=1000)
        state.app_recv()

    replay(ReconnectingMachine, steps)


def test_reconnecting_close_1001_half_state_before_connecting() -> None:
    """Issue 21 item 8: close(1001) before the first connection returned 0, no ValueError."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.app_closes(code=1001)

    replay(ReconnectingMachine, steps)


def test_reconnecting_close_1001_half_state() -> None:
    """Issue 21 item 8: after close(1001) raised ValueError, send() raised ConnectionClosedOK."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.network_accepts()
        state.app_closes(code=1001)
        state.app_sends()

    replay(ReconnectingMachine, steps)


def test_reconnecting_close_1001_then_a_drop() -> None:
    """Issue 21 item 8: a reader after close(1001) and a drop got ConnectionClosedOK."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.app_recv()
        state.network_accepts()
        state.app_closes(code=1001)
        state.server_closes(close=(1011, "boom", True))

    replay(ReconnectingMachine, steps)


def test_reconnecting_close_1001_then_a_bad_send() -> None:
    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.network_accepts()
        state.app_closes(code=1001)
        state.app_sends_bad_data(data="bad \ud800")

    replay(ReconnectingMachine, steps)


def test_reconnecting_bad_queued_string() -> None:
    """Issue 21 item 3: send('bad \\ud800') while connecting was accepted and queued."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.app_sends_bad_data(data="bad \ud800")

    replay(ReconnectingMachine, steps)


def test_reconnecting_bad_string_waits_for_room() -> None:
    """Issue 21 item 3: with the queue full, the bad string waited for room to be queued."""

    def steps(state: ReconnectingMachine) -> None:
        state.start(max_queued=1, min_uptime=0.0, max_retries=None)
        state.app_sends()
        state.app_sends_bad_data(data="bad \ud800")

    replay(ReconnectingMachine, steps)
