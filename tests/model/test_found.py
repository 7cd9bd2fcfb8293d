"""Every failure the machines found, replayed as an explicit example (``tests.model.replay``).

Each is the shrunk counterexample exactly as Hypothesis printed it on the code of ac8814b
(before issue 21's fixes; issue 25's: on 5f7ec8f), invariant lines left out;
docs/reliability.md lists what each showed. They run in ``make test`` with the machines,
and pass on the fixed code.
"""

from __future__ import annotations

from pyws.bounds import check_bounds
from tests.model.replay import replay
from tests.model.test_aiohttp_patch import AiohttpPatchMachine
from tests.model.test_heartbeat import HeartbeatMachine
from tests.model.test_pause import PauseMachine
from tests.model.test_reconnect_iterator import IteratorMachine
from tests.model.test_reconnecting import ReconnectingMachine
from tests.model.test_websocket import BoundsMachine, WebSocketMachine

# -- WebSocket ------------------------------------------------------------------------------


def test_not_utf8_decode_true_stays_queued() -> None:
    """Issue 21 item 5: recv(decode=True) raised UnicodeDecodeError, the message stayed
    queued and the connection open: every later recv(decode=True) raised again (the spin)."""

    def steps(state: WebSocketMachine) -> None:
        state.open(binary_type="bytes")
        state.binary_arrives(data=b"\x80")
        state.recv(decode=True, timeout=None)

    replay(WebSocketMachine, steps)


def test_not_utf8_decode_true_blob_replaced() -> None:
    """Issue 21 item 5: in blob mode, recv(decode=True) returned '\ufffd' instead."""

    def steps(state: WebSocketMachine) -> None:
        state.open(binary_type="blob")
        state.binary_arrives(data=b"\x80")
        state.recv(decode=True, timeout=None)
        state.blob_reads_finish()

    replay(WebSocketMachine, steps)


def test_not_utf8_then_a_closed_queue() -> None:
    """Issue 21 item 5: the undecodable message came back from a later recv()."""

    def steps(state: WebSocketMachine) -> None:
        state.open(binary_type="bytes")
        state.async_for_steps()
        state.binary_arrives(data=b"")
        state.binary_not_utf8_arrives(data=b"\xff")
        state.connection_ends(close=(1000, "", True))
        state.recv(decode=True, timeout=None)
        state.async_for_steps()

    replay(WebSocketMachine, steps)


# -- bounds ---------------------------------------------------------------------------------


def test_drop_oldest_while_a_blob_is_read() -> None:
    """Issue 21 item 2: drop_oldest dropped the Blob recv(decode=False) was reading (it was
    returned anyway) and counted it: dropped 1 where nothing had to be dropped. Found with
    decode=True and invalid UTF-8 switched off (docs/reliability.md)."""

    def steps(state: BoundsMachine) -> None:
        state.open(binary_type="bytes", bounds=check_bounds(2, None, "drop_oldest"))
        state.binary_type_changes(binary_type="blob")
        state.recv(decode=False, timeout=None)
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"\x00")

    replay(BoundsMachine, steps)


def test_drop_oldest_while_a_blob_is_read_pops_an_empty_queue() -> None:
    """Issue 21 item 2, worse: the read Blob dropped, recv() popped an empty queue
    (IndexError)."""

    def steps(state: BoundsMachine) -> None:
        state.open(binary_type="bytes", bounds=check_bounds(1, None, "drop_oldest"))
        state.binary_type_changes(binary_type="blob")
        state.recv(decode=False, timeout=None)
        state.binary_arrives(data=b"")
        state.text_arrives(text="00")

    replay(BoundsMachine, steps)


def test_drop_oldest_while_a_blob_is_decoded() -> None:
    """Issue 21 item 2, found by the full machine: max_queue_bytes=1, decode=True."""

    def steps(state: BoundsMachine) -> None:
        state.open(binary_type="blob", bounds=check_bounds(None, 1, "drop_oldest"))
        state.async_for_steps()
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"\x80")
        state.async_for_steps()
        state.recv(decode=True, timeout=None)
        state.binary_not_utf8_arrives(data=b"\xff")

    replay(BoundsMachine, steps)


def test_drop_newest_counts_the_blob_being_read() -> None:
    """Issue 21 item 2: the Blob being read still counted against max_queue."""

    def steps(state: BoundsMachine) -> None:
        state.open(binary_type="blob", bounds=check_bounds(1, None, "drop_newest"))
        state.async_for_steps()
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"\x80")
        state.async_for_steps()
        state.recv(decode=True, timeout=None)
        state.page_closes(close=(1001, ""))
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"")

    replay(BoundsMachine, steps)


def test_overflow_close_while_a_blob_is_read() -> None:
    """Issue 21 item 2: overflow="close" closed with 4009 for the Blob being read."""

    def steps(state: BoundsMachine) -> None:
        state.open(binary_type="bytes", bounds=check_bounds(1, None, "close"))
        state.binary_type_changes(binary_type="blob")
        state.recv(decode=False, timeout=None)
        state.binary_arrives(data=b"")
        state.binary_arrives(data=b"")

    replay(BoundsMachine, steps)


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


def test_heartbeat_late_after_an_answer() -> None:
    """New (not in issue 21): with timeout > interval, a heartbeat answered at once was
    followed by the next one only when the timeout ended, not interval later."""

    def steps(state: HeartbeatMachine) -> None:
        state.open(
            interval=0.5,
            timeout=1.0,
            message="ping",
            reply=None,
            binary_type="bytes",
            close_timeout=1.0,
        )
        state.clock_advances(delta=0.5)
        state.message_arrives(payload="pong")
        state.clock_advances(delta=0.5)

    replay(HeartbeatMachine, steps)


def test_heartbeat_gives_up_late_after_an_answer() -> None:
    """New: so a peer gone after answering was given up at 4.5 s, not 3.0 s (last message
    at 0.5 s + interval 0.5 + timeout 2.0)."""

    def steps(state: HeartbeatMachine) -> None:
        state.open(
            interval=0.5,
            timeout=2.0,
            message="ping",
            reply=None,
            binary_type="bytes",
            close_timeout=1.0,
        )
        state.clock_advances(delta=0.5)
        state.message_arrives(payload="pong")
        state.clock_advances(delta=2.0)
        state.clock_advances(delta=0.5)

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


# -- the aiohttp patch against aiohttp (issue 25) -------------------------------------------


def test_aiohttp_wait_for_cancel_loses_the_message() -> None:
    """Issue 25 defect 1: the read ``wait_for`` cancelled just after its message arrived
    lost it (the inner ``recv()`` task had taken it); aiohttp keeps it for the next read:
    real ``('receive', ('TEXT', '', ''))``, patch ``('receive', ('raised', 'TimeoutError'))``
    then nothing more to read. Found with the rules of defects 5, 6 and 12 switched off
    (Hypothesis shows one failure per assertion line, and those come first)."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=False)
        state.receive_through_wait_for(wait=0.5)
        state.server_sends_as_the_clock_moves(delta=0.5, text="", turns=1)

    replay(AiohttpPatchMachine, steps)


def test_aiohttp_close_refused_but_closed() -> None:
    """Issue 25 defect 5: close(code=999) raised ValueError, and left ``closed`` True."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=False)
        state.close_as_a_page_may_not(arguments=(999, b""))

    replay(AiohttpPatchMachine, steps)


def test_aiohttp_close_with_an_unpackable_code() -> None:
    """Issue 25 defect 5: close(code=70000) raised ValueError; aiohttp returns True,
    closed, 1006, with the ``struct.error`` as ``exception()``."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=False)
        state.close_with_a_code_no_frame_holds(code=70000)

    replay(AiohttpPatchMachine, steps)


def test_aiohttp_session_close_leaves_the_websocket_open() -> None:
    """Issue 25 defect 6: after ClientSession.close(), close() found the connection open
    and closed it cleanly (1000); aiohttp's was cut: 1006, ClientConnectionResetError."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=False)
        state.session_closes()
        state.close(code=1000, message=b"")

    replay(AiohttpPatchMachine, steps)


def test_aiohttp_ws_close_timeout_exception() -> None:
    """Issue 25 defect 12: a close() that ws_close ended left ClientConnectionResetError
    as exception(); aiohttp's is TimeoutError()."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=True)
        state.server_goes_deaf()
        state.close(code=1000, message=b"")
        state.clock_advances(delta=2.5)

    replay(AiohttpPatchMachine, steps)


def test_aiohttp_connection_lost_during_close() -> None:
    """Found on the fixed code (random run): the connection cut while close() waited gave
    ClientConnectionResetError; aiohttp's exception() is its reader's EofStream."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=False)
        state.server_goes_deaf()
        state.close(code=1000, message=b"")
        state.server_cuts_the_connection()

    replay(AiohttpPatchMachine, steps)


def test_aiohttp_close_after_a_cancelled_read_and_a_lost_connection() -> None:
    """Found on the fixed code: after a cancelled receive() (close_code 1006) and a cut
    connection, close() left exception() None; aiohttp's writer fails:
    ClientConnectionResetError."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=False)
        state.receive(timeout=None)
        state.cancel_reader()
        state.server_cuts_the_connection()
        state.close(code=1000, message=b"")

    replay(AiohttpPatchMachine, steps)


def test_aiohttp_close_after_a_cancelled_read_does_not_wait() -> None:
    """Found on the fixed code: after a cancelled receive(), close() waited for the
    server's answer; aiohttp sends its close and returns at once."""

    def steps(state: AiohttpPatchMachine) -> None:
        state.open(autoclose=False)
        state.server_goes_deaf()
        state.receive(timeout=None)
        state.cancel_reader()
        state.close(code=1000, message=b"")

    replay(AiohttpPatchMachine, steps)


# -- overflow="pause" (PauseMachine, on 5f7ec8f's code: issue 25) ----------------------------


def test_pause_send_behind_a_held_close() -> None:
    """Issue 25 defect 2: the server's close came behind an unread message; send() returned
    normally and the server never got it."""

    def steps(state: PauseMachine) -> None:
        state.open(high=1, low=0, heartbeat=False)
        state.server_closes(close=(1000, ""), count=1)
        state.app_sends()

    replay(PauseMachine, steps)


def test_pause_protocol_error_drops_held_messages() -> None:
    """Issue 25 defect 4: 1 of the 2 messages before the broken frame was returned."""

    def steps(state: PauseMachine) -> None:
        state.open(high=1, low=0, heartbeat=False)
        state.server_breaks_the_protocol(count=2)

    replay(PauseMachine, steps)


def test_pause_heartbeat_gives_up_a_live_peer() -> None:
    """Issue 25 defect 3: paused at 1 queued message, the heartbeat's answer waited unread
    and the live peer was given up (1006, "heartbeat timeout"), m1 lost. Found with
    send(), close() and protocol errors switched off (the first three failures hid it)."""

    def steps(state: PauseMachine) -> None:
        state.open(high=1, low=0, heartbeat=True)
        state.server_sends(count=2)
        state.clock_advances(delta=5.0)

    replay(PauseMachine, steps)


def test_pause_local_close_waits_for_an_answer_it_never_reads() -> None:
    """New (not in issue 25): close() while paused sent its close frame, but reading stayed
    paused, so the server's answer was never read: close() waited for close_timeout, 1006."""

    def steps(state: PauseMachine) -> None:
        state.open(high=1, low=0, heartbeat=False)
        state.server_sends(count=1)
        state.app_closes(close=(1000, ""))

    replay(PauseMachine, steps)


# -- the reconnect iterator (IteratorMachine, on 5f7ec8f's code: issue 25) -----------------


def test_iterator_uptime_counts_until_the_body_comes_back() -> None:
    """New (not in issue 25): a connection dropped at once, the body back for the next one
    6 s later: the iterator counted 6 s of uptime (min_uptime 5), started the backoff over
    and reconnected at once, where the README promises a backoff after a connection that
    did not stay open min_uptime. Found with PYWS_HYPOTHESIS_EXAMPLES=2000 (the ci profile's
    400 did not reach it)."""

    def steps(state: IteratorMachine) -> None:
        state.start(seed=0, min_uptime=5.0, max_retries=None)
        state.app_next()
        state.network_accepts()
        state.server_drops(close=(1006, "", False))
        state.clock_advances(delta=6.0)
        state.app_next()

    replay(IteratorMachine, steps)
