"""pyws in plain CPython: the browser's ``WebSocket``, played over asyncio by the
``websockets`` library's Sans-I/O protocol (``pip install "pyws[cpython]"``).

The connection logic stays :class:`pyws.connection.WebSocket`; this module only plays the
browser's socket behind the :class:`~pyws._transport.Transport` seam, with its semantics:
``send`` is synchronous and reports ``bufferedAmount``, ``readyState`` moves as the
browser's does, and the events come in the browser's order (``error`` only when the
connection failed, then ``close``). :func:`pyws._url.parse_url` stands in for the
browser's ``URL`` parser; :mod:`.proxy` tunnels through HTTP proxies. Imported lazily, in
CPython only.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections import deque
from collections.abc import Callable
from typing import Any, Literal

from websockets.client import ClientProtocol
from websockets.exceptions import NegotiationError
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import USER_AGENT, Response
from websockets.protocol import State as ProtocolState
from websockets.typing import Subprotocol
from websockets.uri import WebSocketURI

from .._redact import redact
from .._transport import BinaryType, Events, TransportFactory
from .._url import DEFAULT_PORTS, parse, percent_decode
from ..blob import Blob
from ..connection import State
from .proxy import Proxy, proxy_for

__all__ = ["HONOURED", "StreamTransport", "configure"]

_log = logging.getLogger("pyws")

CLOSING_HANDSHAKE_TIMEOUT = 60.0
"""Seconds a close frame we sent waits for the server's; then TCP is cut and the close is
unclean (1006). Chromium's ``kClosingHandshakeTimeout``."""
TCP_CLOSE_TIMEOUT = 2.0
"""Seconds the server may take to close TCP once both close frames have passed; then we
close it ourselves, and the close still counts as clean. Chromium's
``kUnderlyingConnectionCloseTimeout``."""


HONOURED = frozenset({"ssl", "server_hostname", "proxy"})
"""The options of ``websockets.connect`` that pyws honours in CPython: there is no browser
to take certificates or proxy settings from here."""

TLS = ssl.SSLContext | Literal[True] | None


def configure(options: dict[str, Any]) -> TransportFactory:
    """:class:`StreamTransport` with the :data:`HONOURED` options, as ``websockets`` takes
    them: ``ssl``, an ``ssl.SSLContext`` (True or None: the default context, which trusts
    the system's certificate authorities), for wss URLs only; ``server_hostname``, the
    name the certificate must match (and sent as SNI) instead of the URL's host; ``proxy``,
    True (the default) for the system's proxy settings, None for none, or a proxy URL
    (checked here)."""
    tls = options.get("ssl")
    if not (tls is None or tls is True or isinstance(tls, ssl.SSLContext)):
        raise TypeError(f"ssl must be an ssl.SSLContext, True or None, not {tls!r}")
    server_hostname = options.get("server_hostname")
    if not (server_hostname is None or isinstance(server_hostname, str)):
        raise TypeError(f"server_hostname must be a str or None, not {server_hostname!r}")
    proxy: Any = options.get("proxy", True)
    if proxy is not True and proxy is not None:
        Proxy(proxy)  # raises TypeError or ValueError

    def factory(
        url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> StreamTransport:
        return StreamTransport(
            url,
            protocols,
            binary_type,
            events,
            tls=tls,
            server_hostname=server_hostname,
            proxy=proxy,
        )

    return factory


class StreamTransport(asyncio.Protocol):
    """One WebSocket connection: a pyws ``Transport`` above, an asyncio ``Protocol`` below.

    The ``websockets`` Sans-I/O ``ClientProtocol`` does the framing, the handshake checks,
    the pongs and the closing handshake. This class feeds it what TCP delivers, writes what
    it produces at once (so a send is synchronous, like the browser's ``ws.send``), and
    turns what it parses into the browser's ``readyState`` and events. Every path to the
    end reports once, from :meth:`_report_closed`; :meth:`release` silences it.

    ``tls`` and ``server_hostname`` are ``websockets``' ``ssl`` and ``server_hostname``
    (see :func:`configure`). A connection that fails before it opens reports the exception
    that failed it with its ``error`` event (an ``ssl.SSLCertVerificationError``, a
    ``ConnectionRefusedError``, ``websockets``' ``InvalidStatus``...).
    """

    def __init__(
        self,
        url: str,
        protocols: list[str],
        binary_type: BinaryType,
        events: Events,
        *,
        tls: TLS = None,
        server_hostname: str | None = None,
        proxy: str | Literal[True] | None = True,
    ) -> None:
        scheme, _, rest = url.partition(":")  # url is what check_url() returned
        parts = parse(scheme, rest) if scheme in ("ws", "wss") else None
        if parts is None:
            raise ValueError(f"not a ws or wss URL as check_url() returns: {url!r}")
        if parts.scheme == "ws" and (tls is not None or server_hostname is not None):
            option = "ssl" if tls is not None else "server_hostname"
            raise ValueError(f"{option}= is for wss URLs, and {url!r} is ws: use wss:// for TLS")
        self._url = url
        self._binary_type = binary_type
        self._events: Events | None = events
        self._state = State.CONNECTING
        self._failed = False
        """Whether the connection was failed (RFC 6455 7.1.7): it then closes unclean."""
        self._cause: BaseException | None = None
        """What failed the connection, when it failed before opening: for ``error``."""
        self._offered = bool(protocols)
        self._extensions = ""
        self._tcp: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._fragments: list[bytes] = []
        self._held: deque[object] = deque()
        """Parsed, not yet reported: what came in one read after :meth:`pause_reading`."""
        self._paused = False
        self._delivering = False
        """Whether parsed messages are reported: from the open until a local ``close()``
        (WHATWG drops what arrives after it) or a failure found while reporting."""
        self._fragments_text = False
        secure = parts.scheme == "wss"
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        # A URL's credentials go out as Basic authorization, as websockets.connect sends
        # them; a browser may keep them for an HTTP authentication challenge instead.
        username = percent_decode(parts.username).decode("utf-8", "replace")
        password = percent_decode(parts.password).decode("utf-8", "replace")
        self._protocol = ClientProtocol(
            WebSocketURI(
                secure,
                parts.address,
                port,
                parts.path,
                parts.query or "",
                username if username or password else None,
                password,
            ),
            # Browsers offer permessage-deflate (with client_max_window_bits); so does this.
            extensions=[ClientPerMessageDeflateFactory()],
            subprotocols=[Subprotocol(protocol) for protocol in protocols] or None,
            max_size=None,  # a browser takes messages of any size
        )
        self._loop = asyncio.get_running_loop()
        # Connecting runs in a task, so no event fires before the caller holds this
        # transport, as no browser event fires inside the WebSocket constructor.
        context = None
        if secure:
            context = ssl.create_default_context() if tls is None or tls is True else tls
        if proxy is True:  # the system's settings, as a browser applies its own
            proxy = proxy_for(parts.address, port, secure)
        self._connecting: asyncio.Task[None] | None = self._loop.create_task(
            self._connect(
                parts.address,
                port,
                context,
                server_hostname,
                None if proxy is None else Proxy(proxy),
            )
        )

    async def _connect(
        self,
        host: str,
        port: int,
        context: ssl.SSLContext | None,
        server_hostname: str | None,
        proxy: Proxy | None,
    ) -> None:
        try:
            if proxy is None:
                await self._loop.create_connection(
                    lambda: self, host, port, ssl=context, server_hostname=server_hostname
                )
            else:
                transport = await proxy.tunnel(host, port)
                if context is not None:
                    upgraded = await self._loop.start_tls(
                        transport,
                        transport.get_protocol(),
                        context,
                        server_hostname=server_hostname or host,
                    )
                    assert upgraded is not None
                    transport = upgraded
                transport.set_protocol(self)
                self.connection_made(transport)
        except (Exception, asyncio.CancelledError) as exc:
            self._connecting = None
            # Cancelled: close() or release() stopped it, and there is nothing to say.
            self._fail(None if isinstance(exc, asyncio.CancelledError) else exc)
            self._report_closed()
        else:
            self._connecting = None

    # -- the Transport seam: attributes ---------------------------------------------------

    @property
    def ready_state(self) -> int:
        return self._state

    @property
    def buffered_amount(self) -> int:
        """What asyncio holds unsent: unlike a browser's, it counts the frame headers too."""
        return 0 if self._tcp is None else self._tcp.get_write_buffer_size()

    @property
    def url(self) -> str:
        return self._url

    @property
    def protocol(self) -> str:
        return self._protocol.subprotocol or ""

    @property
    def extensions(self) -> str:
        return self._extensions

    def set_binary_type(self, binary_type: BinaryType) -> None:
        """Applies to messages delivered afterwards, as the browser's ``binaryType``."""
        self._binary_type = binary_type

    # -- the Transport seam: calls ----------------------------------------------------------

    def send_text(self, data: str) -> int | None:
        if self._state != State.OPEN:
            return None
        return self._send(self._protocol.send_text, data.encode("utf-8"))

    def send_bytes(self, data: memoryview) -> int | None:
        if self._state != State.OPEN:
            return None
        # No copy needed: the frame is serialised (masked: a new buffer) before this returns.
        return self._send(self._protocol.send_binary, data)

    def send_blob(self, blob: Blob) -> int | None:
        if self._state != State.OPEN:
            return None
        return self._send(self._protocol.send_binary, blob._data)  # a Blob is its bytes here

    def send_native(self, data: Any) -> int | None:
        raise TypeError(f"CPython has no platform binary objects to send: {data!r:.60}")

    def is_native_binary(self, data: Any) -> bool:
        return False

    def _send(
        self, send: Callable[[bytes | memoryview], None], data: bytes | memoryview
    ) -> int | None:
        # The protocol may be past OPEN while we still report OPEN: the server broke the
        # protocol in the read whose earlier messages we are delivering. Then nothing can
        # be sent, and the caller must hear it (issue 25, defect 2): None, as not OPEN.
        if self._protocol.state is not ProtocolState.OPEN:
            return None
        send(data)
        self._flush()
        return self.buffered_amount

    def close(self, code: int, reason: str) -> None:
        """Start the closing handshake, as the browser's ``ws.close(code, reason)``.

        While connecting, it fails the connection instead (WHATWG): ``error`` and
        ``close`` 1006 follow. Once closing or closed, it does nothing. A close frame that
        gets no answer within :data:`CLOSING_HANDSHAKE_TIMEOUT` ends in an unclean 1006.
        """
        if self._state == State.CONNECTING:
            self._fail(None)
        elif self._state == State.OPEN or (self._state == State.CLOSING and self._delivering):
            # CLOSING and delivering: the server's close came first and waits behind held
            # messages (paused). It was answered already; what is held is now dropped.
            self._delivering = False
            if self._state == State.OPEN and self._protocol.state is ProtocolState.OPEN:
                self._protocol.send_close(code, reason)
                self._flush()
                self._set_timer(CLOSING_HANDSHAKE_TIMEOUT, self._abort)
            self._state = State.CLOSING
            if self._paused:
                # Read on, dropping, up to the server's answer, as the stream transport
                # does: paused, it would never be read, and the close would end in 1006.
                self.resume_reading()

    can_pause = True
    """Pausing stops reading the socket, as ``websockets`` does past ``max_queue``."""

    def pause_reading(self) -> None:
        """Report no message, and stop reading TCP (asyncio's ``pause_reading``), so the
        server's sends back up in its buffers. Messages parsed from the last read wait.
        After a local ``close()`` it does nothing: reading goes on up to the answer."""
        if not self._delivering:
            return
        self._paused = True
        if self._tcp is not None and not self._tcp.is_closing():
            self._tcp.pause_reading()

    @property
    def pending_close(self) -> tuple[int, str, bool] | None:
        """The server's close frame once it arrived, until reported: clean, as the
        protocol has answered it (reported 1006 instead if TCP then breaks)."""
        received = self._protocol.close_rcvd
        if received is None or self._state == State.CLOSED:
            return None
        clean = self._protocol.close_sent is not None and not self._failed
        return received.code, received.reason, clean

    def resume_reading(self) -> None:
        self._paused = False
        self._deliver()
        if not self._paused and self._tcp is not None and not self._tcp.is_closing():
            self._tcp.resume_reading()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` after ``delay`` s; the returned cancel frees the timer at once."""
        return self._loop.call_later(delay, callback).cancel

    def release(self) -> None:
        """Report nothing more, cut the TCP connection if it is still up, and be CLOSED.

        pyws releases a transport once it has given up on it (it reported the close, or
        stopped waiting for it), so nobody is left to hear how the connection ends.
        """
        self._events = None
        self._cancel_timer()
        if self._connecting is not None:
            self._connecting.cancel()
        self._abort()
        self._state = State.CLOSED  # at once: a browser's socket would linger in CLOSING

    # -- asyncio.Protocol: what TCP delivers ---------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._tcp = transport
        if self._state != State.CONNECTING:  # closed or released while connecting
            transport.abort()
            return
        request = self._protocol.connect()
        request.headers["User-Agent"] = USER_AGENT
        self._protocol.send_request(request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        protocol = self._protocol
        protocol.receive_data(data)
        self._flush()  # pongs, the echo of a close frame, the close frame of a failure
        self._held.extend(protocol.events_received())
        self._check_closing()
        self._deliver()
        if not self._failed and (protocol.parser_exc or protocol.handshake_exc) is not None:
            # The server broke the protocol (which sent its close frame already), or sent
            # no valid HTTP response.
            self._fail(protocol.parser_exc or protocol.handshake_exc)

    def _check_closing(self) -> None:
        """CLOSING once the server's close frame came, or it broke the protocol: the closing
        handshake has started, even while the messages before it wait (paused). A send now
        would follow the close frame, which the server drops: refused (issue 25, defect 2)."""
        if self._state == State.OPEN and self._protocol.state is not ProtocolState.OPEN:
            self._state = State.CLOSING

    def _deliver(self) -> None:
        """Report what was parsed, in order, until reading is paused."""
        held = self._held
        while held and not self._paused:
            events = self._events
            if events is None:
                held.clear()
                return
            event = held.popleft()
            if isinstance(event, Frame):
                self._on_frame(event, events)
            elif isinstance(event, Response):
                self._on_response(event, events)

    def eof_received(self) -> None:
        self._protocol.receive_eof()
        self._flush()  # a client answers the server's TCP close with its own
        # Returning None lets asyncio close the transport: connection_lost() follows.

    def connection_lost(self, exc: Exception | None) -> None:
        self._protocol.receive_eof()  # idempotent; anything it would write has nowhere to go
        self._protocol.data_to_send()
        if self._state == State.CONNECTING and self._cause is None:
            # Closed before the handshake's answer: receive_eof() made that InvalidMessage.
            self._cause = self._protocol.handshake_exc or exc
        self._report_closed()

    # -- inside ------------------------------------------------------------------------

    def _on_response(self, response: Response, events: Events) -> None:
        protocol = self._protocol
        if protocol.handshake_exc is not None:  # an HTTP status, a bad header...
            self._fail(protocol.handshake_exc)
            return
        # WHATWG fails a handshake that offered subprotocols and got none back, and so
        # does Chromium (Firefox opens); the websockets library accepts it: check here.
        if self._offered and not protocol.subprotocol:
            self._fail(NegotiationError("the server selected none of the subprotocols offered"))
            return
        self._extensions = ", ".join(response.headers.get_all("Sec-WebSocket-Extensions"))
        self._state = State.OPEN
        self._delivering = True
        events.on_open()
        self._check_closing()  # the close may have come in the read that opened

    def _on_frame(self, frame: Frame, events: Events) -> None:
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            self._fragments_text = opcode is Opcode.TEXT
            self._fragments = [bytes(frame.data)]
        elif opcode is Opcode.CONT:
            self._fragments.append(bytes(frame.data))
        elif opcode is Opcode.CLOSE:
            # The protocol has echoed it, or it answers ours: the closing handshake is
            # complete, and the server is to close TCP.
            self._state = State.CLOSING
            self._set_timer(TCP_CLOSE_TIMEOUT, self._close_tcp)
            return
        else:
            return  # a ping (the protocol answered it) or a pong
        if not frame.fin:
            return
        fragments, self._fragments = self._fragments, []
        data = fragments[0] if len(fragments) == 1 else b"".join(fragments)
        message: str | bytes | Blob
        if self._fragments_text:
            try:
                message = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._fail(exc, 1007, "invalid UTF-8 in a text message")  # as the browser does
                self._delivering = False  # the connection failed here: nothing after it
                return
        else:
            message = Blob(data) if self._binary_type == "blob" else data
        # WHATWG drops what arrives once close() was called. What was parsed before the
        # server's close frame, or before a frame that broke the protocol, is delivered,
        # held or not, then the close (issue 25, defect 4; as websockets does).
        if self._delivering:
            events.on_message(message)

    def _fail(self, cause: BaseException | None, code: int | None = None, reason: str = "") -> None:
        """Fail the connection (RFC 6455 7.1.7): send a close frame with ``code`` and
        ``reason`` if given, then close TCP; connection_lost() reports ``error`` and
        ``close`` 1006.

        ``cause`` (None: closed on purpose) is logged as a warning, where the browser would
        print it to its console. Before the connection opened, the ``error`` event carries
        it too: pyws's caller gets it as the ``InvalidHandshake``'s cause. Once open, a
        page is told nothing more than 1006, and so is pyws's caller.
        """
        if cause is not None:
            _log.warning(
                "WebSocket connection to %s failed: %s: %s",
                redact(self._url),
                type(cause).__name__,
                redact(str(cause)),
            )
            if self._state == State.CONNECTING and self._cause is None:
                self._cause = cause
        self._failed = True
        if self._state != State.CLOSED:
            self._state = State.CLOSING
        if code is not None and self._protocol.state is ProtocolState.OPEN:
            self._protocol.fail(code, reason)
            self._flush()
        self._close_tcp()

    def _report_closed(self) -> None:
        """The connection is over: report ``error`` if it failed, then ``close``; once."""
        if self._state == State.CLOSED:
            return
        if self._held:  # what was read before the end, held by a pause: report it first
            self._paused = False
            self._deliver()
        self._state = State.CLOSED
        self._cancel_timer()
        events = self._events
        if events is None:
            return
        received = self._protocol.close_rcvd
        if not self._failed and received is not None and self._protocol.close_sent is not None:
            # Both close frames passed: clean. A close frame without a code reads 1005.
            events.on_close(received.code, received.reason, True)
            return
        # Failed, dropped, or the closing handshake cut short: the browser's 1006.
        events.on_error(self._cause)
        if self._events is not None:  # the error handler may have released this
            events.on_close(1006, "", False)

    def _flush(self) -> None:
        tcp = self._tcp
        for data in self._protocol.data_to_send():
            if tcp is None or tcp.is_closing():
                continue
            if data:
                tcp.write(data)
            elif tcp.can_write_eof():  # b"" means: close our side of TCP
                tcp.write_eof()
            else:  # TLS cannot half-close
                tcp.close()

    def _close_tcp(self) -> None:
        """Close TCP once what is buffered is written: connection_lost() reports."""
        if self._tcp is not None:
            self._tcp.close()
        elif self._connecting is not None:
            self._connecting.cancel()

    def _abort(self) -> None:
        """Cut TCP now, discarding what is buffered: connection_lost() reports."""
        if self._tcp is not None and self._state != State.CLOSED:
            self._tcp.abort()

    def _set_timer(self, delay: float, callback: Callable[[], None]) -> None:
        self._cancel_timer()
        self._timer = self._loop.call_later(delay, callback)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
