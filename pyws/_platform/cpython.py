"""pyws in plain CPython: the browser's ``WebSocket``, played over asyncio by the
``websockets`` library's Sans-I/O protocol (``pip install "pyws[cpython]"``).

The connection logic stays :class:`pyws.connection.WebSocket`; this module only plays the
browser's socket behind the :class:`~pyws._transport.Transport` seam, with its semantics:
``send`` is synchronous and reports ``bufferedAmount``, ``readyState`` moves as the
browser's does, and the events come in the browser's order (``error`` only when the
connection failed, then ``close``). :func:`parse_url` stands in for the browser's ``URL``
parser. Imported lazily, in CPython only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import ssl
import urllib.parse
import urllib.request
from base64 import b64encode
from collections import deque
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

from websockets.client import ClientProtocol
from websockets.exceptions import NegotiationError
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import USER_AGENT, Response
from websockets.protocol import State as ProtocolState
from websockets.typing import Subprotocol
from websockets.uri import WebSocketURI

from .._transport import BinaryType, Events, TransportFactory
from .._validation import ParsedURL
from ..blob import Blob
from ..connection import State

__all__ = ["HONOURED", "Proxy", "StreamTransport", "configure", "parse_url", "proxy_for"]

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
        parts = _parse(scheme, rest) if scheme in ("ws", "wss") else None
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
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
        # A URL's credentials go out as Basic authorization, as websockets.connect sends
        # them; a browser may keep them for an HTTP authentication challenge instead.
        username = _decode(parts.username).decode("utf-8", "replace")
        password = _decode(parts.password).decode("utf-8", "replace")
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
                "WebSocket connection to %s failed: %s: %s", self._url, type(cause).__name__, cause
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


# -- URLs ------------------------------------------------------------------------------
#
# The WHATWG URL parser (https://url.spec.whatwg.org/), as it applies to the special schemes
# pyws takes (ws, wss, http, https), for absolute URLs: CPython has no page to resolve a
# relative one against. urllib.parse would not do: it neither normalises (percent-encoding,
# dot segments, IPv4 forms, default ports) nor fails where the browser fails.

_DEFAULT_PORTS = {"ws": 80, "wss": 443, "http": 80, "https": 443}
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(.*)", re.DOTALL)
_AUTHORITY = re.compile(r"[/\\]*([^/\\?#]*)")  # after any number of slashes, "\\" or "/"
_HOST_PORT = re.compile(r"(\[[^\]]*\]|[^:]*)(?::([0-9]*))?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_IPV4_PART = re.compile(r"0[xX]([0-9A-Fa-f]*)|(0[0-7]*)|([1-9][0-9]*)")
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORBIDDEN_DOMAIN = re.compile(r"[\x00-\x20\x7f#%/:<>?@\[\\\]^|]")
# Percent-encode sets: C0 controls, DEL and every non-ASCII code point, plus each set's own.
_C0 = r"\x00-\x1f\x7f-\U0010ffff"
_FRAGMENT_SET = re.compile(f'[{_C0} "<>`]')
_QUERY_SET = re.compile(f"[{_C0} \"#<>']")  # the special-query set
_PATH_SET = re.compile(f'[{_C0} "#<>?^`{{}}]')  # Chromium also encodes "|"
_USERINFO_SET = re.compile(f'[{_C0} "#<>?^`{{}}/:;=@\\[\\\\\\]|]')
_SINGLE_DOT = {".", "%2e"}
_DOUBLE_DOT = {"..", ".%2e", "%2e.", "%2e%2e"}


class _URL(NamedTuple):
    scheme: str
    username: str
    """Percent-encoded, as in the URL."""
    password: str
    hostname: str
    """A domain, dotted IPv4, or [IPv6], as serialised."""
    port: int | None
    """None when absent or the scheme's default."""
    path: str
    query: str | None
    fragment: str | None

    @property
    def host(self) -> str:
        """As the browser's ``URL.host``: the host name, and a port that is not the default."""
        return self.hostname if self.port is None else f"{self.hostname}:{self.port}"

    @property
    def address(self) -> str:
        """The host name to connect to: an IPv6 address without its brackets."""
        return self.hostname.strip("[]")

    @property
    def href(self) -> str:
        userinfo = self.username + (f":{self.password}" if self.password else "")
        return "".join(
            (
                f"{self.scheme}://",
                f"{userinfo}@" if userinfo else "",
                self.host,
                self.path,
                "" if self.query is None else f"?{self.query}",
                "" if self.fragment is None else f"#{self.fragment}",
            )
        )


def parse_url(url: str) -> ParsedURL | None:
    """``url`` parsed and normalised as the browser's ``new URL(url)``; None if that fails.

    Only absolute URLs parse: CPython has no page location, so a relative one gives None
    (:func:`pyws._validation.check_url` then says why). A URL of a scheme other than ws,
    wss, http and https is returned unparsed, for ``check_url`` to name its scheme.
    """
    url = _clean(url)
    match = _SCHEME.fullmatch(url)
    if match is None:
        return None
    scheme = match[1].lower()
    if scheme not in _DEFAULT_PORTS:
        return ParsedURL(f"{scheme}:{match[2]}", scheme, "")
    parts = _parse(scheme, match[2])
    return None if parts is None else ParsedURL(parts.href, scheme, parts.host)


def _clean(url: str) -> str:
    """What the URL parser does first; lone surrogates become U+FFFD as in a JS string."""
    url = _SURROGATE.sub("\ufffd", url).strip(_C0_OR_SPACE)
    return url.replace("\t", "").replace("\n", "").replace("\r", "")


def _parse(scheme: str, rest: str) -> _URL | None:
    """The parts of a ws, wss, http or https URL given after its "scheme:", or None where
    the WHATWG parser fails."""
    authority = _AUTHORITY.match(rest)
    assert authority is not None  # it matches the empty string at least
    rest, fragment = _split(rest[authority.end() :], "#")
    path, query = _split(rest, "?")
    userinfo, _, host_port = authority[1].rpartition("@")
    username, _, password = userinfo.partition(":")
    match = _HOST_PORT.fullmatch(host_port)
    if match is None:
        return None
    host, port_text = match[1], match[2]
    hostname = _ipv6(host[1:-1]) if host.startswith("[") else _domain_or_ipv4(host)
    port = int(port_text) if port_text else None
    if hostname is None or (port is not None and port > 65535):
        return None
    return _URL(
        scheme,
        _encode(_USERINFO_SET, username),
        _encode(_USERINFO_SET, password),
        hostname,
        None if port == _DEFAULT_PORTS[scheme] else port,
        _path(path),
        None if query is None else _encode(_QUERY_SET, query),
        None if fragment is None else _encode(_FRAGMENT_SET, fragment),
    )


def _split(text: str, separator: str) -> tuple[str, str | None]:
    """``text`` before and after the first ``separator``; None after it when it is absent."""
    before, found, after = text.partition(separator)
    return before, after if found else None


def _encode(code_points: re.Pattern[str], text: str) -> str:
    """Percent-encode the UTF-8 bytes of the code points that ``code_points`` matches."""
    return code_points.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), text)


def _decode(text: str) -> bytes:
    """Percent-decode: "%41" is b"A"; anything else stays as its UTF-8 bytes."""
    return _PERCENT.sub(lambda m: bytes.fromhex(m[1].decode()), text.encode())


def _path(path: str) -> str:
    """The path with "\\" as "/", dot segments resolved, percent-encoded; "/" when empty."""
    segments = path.replace("\\", "/").split("/")[1:] or [""]
    resolved: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT:
            if resolved:
                resolved.pop()
            if last:
                resolved.append("")
        elif lowered in _SINGLE_DOT:
            if last:
                resolved.append("")
        else:
            resolved.append(_encode(_PATH_SET, segment))
    return "/" + "/".join(resolved)


def _domain_or_ipv4(text: str) -> str | None:
    """The host parser for a host that is not [IPv6]: lower case, IDNA, IPv4 dotted."""
    try:
        domain = _decode(text).decode("utf-8")
        if not domain.isascii():
            # Python's codec is IDNA 2003 where browsers use UTS 46: they agree on
            # ordinary names, and both refuse what is no valid name.
            domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    domain = domain.lower()
    if not domain or _FORBIDDEN_DOMAIN.search(domain):
        return None
    labels = domain.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        return _ipv4(labels)  # a host that ends in a number must be an IPv4 address
    return domain


def _ipv4(labels: list[str]) -> str | None:
    """The WHATWG IPv4 parser: 1 to 4 parts, each decimal, octal (0...) or hex (0x...)."""
    if len(labels) > 4:
        return None
    numbers = []
    for label in labels:
        match = _IPV4_PART.fullmatch(label)
        if match is None:
            return None
        hexadecimal, octal, decimal = match.groups()
        if hexadecimal is not None:
            numbers.append(int(hexadecimal or "0", 16))
        else:
            numbers.append(int(octal, 8) if octal is not None else int(decimal))
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    address = last + sum(number << (8 * (3 - index)) for index, number in enumerate(leading))
    return str(ipaddress.IPv4Address(address))


def _ipv6(text: str) -> str | None:
    """``[text]`` serialised as WHATWG does: lower-case hex, the first longest run of two
    or more zero pieces compressed, no embedded IPv4 form; None if it is no address."""
    if "%" in text:
        return None  # a zone identifier: URLs have none
    try:
        packed = ipaddress.IPv6Address(text).packed
    except ValueError:
        return None
    pieces = [f"{int.from_bytes(packed[i : i + 2], 'big'):x}" for i in range(0, 16, 2)]
    # The longest run of "0" pieces (the first of equals), if it is two or longer.
    runs = re.finditer(r"(?:^|(?<=:))0(?::0)+(?=:|$)", ":".join(pieces))
    longest = max(runs, key=lambda run: len(run[0]), default=None)
    if longest is None:
        return f"[{':'.join(pieces)}]"
    joined = ":".join(pieces)
    return f"[{joined[: longest.start()].rstrip(':')}::{joined[longest.end() :].lstrip(':')}]"


# -- proxies -------------------------------------------------------------------------------


def proxy_for(host: str, port: int, secure: bool) -> str | None:
    """The proxy the system names for a WebSocket to ``host``:``port``, or None.

    A browser applies its proxy settings; CPython's are the ``*_proxy`` environment
    variables (and the OS settings, where :func:`urllib.request.getproxies` reads them),
    chosen as the ``websockets`` library chooses: none when ``no_proxy`` bypasses the
    host, else the first of ``wss``/``ws``, ``socks``, ``https``, then (ws only) ``http``.
    Loopback hosts are never proxied, as in Chromium and Firefox (unlike ``websockets``).
    """
    if _is_loopback(host) or urllib.request.proxy_bypass(f"{host}:{port}"):
        return None
    proxies = urllib.request.getproxies()
    for scheme in ("wss", "socks", "https") if secure else ("ws", "socks", "https", "http"):
        proxy = proxies.get(scheme)
        if proxy is not None:
            # getproxies() reports an OS-configured SOCKS proxy as http://host:port.
            if scheme == "socks" and proxy.startswith("http://"):
                proxy = "socks5h://" + proxy.removeprefix("http://")
            return proxy
    return None


def _is_loopback(host: str) -> bool:
    lowered = host.lower().rstrip(".")
    if lowered == "localhost" or lowered.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(lowered.strip("[]")).is_loopback
    except ValueError:
        return False


class Proxy:
    """An HTTP proxy (``http://`` or ``https://``, with optional ``user:password@``),
    through which a connection is an HTTP ``CONNECT`` tunnel."""

    def __init__(self, url: str) -> None:
        if not isinstance(url, str):
            raise TypeError(f"proxy must be True, None or a proxy URL, not {url!r}")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(
                f"proxy {url!r}: pyws in CPython tunnels through http:// and https:// proxies "
                "(HTTP CONNECT); SOCKS proxies are not supported"
            )
        if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"proxy {url!r}: expected scheme://[user:password@]host[:port]")
        self.url = url
        self.secure = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.secure else 80)
        self.credentials: str | None = None
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            self.credentials = b64encode(f"{user}:{password}".encode()).decode()

    def connect_request(self, host: str, port: int) -> bytes:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}", f"User-Agent: {USER_AGENT}"]
        if self.credentials is not None:
            lines.append(f"Proxy-Authorization: Basic {self.credentials}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def tunnel(self, host: str, port: int) -> asyncio.Transport:
        """A TCP connection to ``host``:``port`` through the proxy; raises
        :exc:`ConnectionError` when the proxy refuses it."""
        loop = asyncio.get_running_loop()
        transport, reply = await loop.create_connection(
            _ConnectReply,
            self.host,
            self.port,
            ssl=ssl.create_default_context() if self.secure else None,
        )
        try:
            transport.write(self.connect_request(host, port))
            head = await reply.head
            status = head.split(b"\r\n", 1)[0].decode("latin-1")
            fields = status.split(" ", 2)
            if len(fields) < 2 or not fields[0].startswith("HTTP/") or fields[1][:1] != "2":
                raise ConnectionError(f"proxy {self.url} refused CONNECT {host}:{port}: {status}")
        except BaseException:
            transport.abort()
            raise
        return transport


class _ConnectReply(asyncio.Protocol):
    """Reads a proxy's answer to CONNECT, up to the blank line that ends its head."""

    LIMIT = 65536

    def __init__(self) -> None:
        self.head: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._data = bytearray()

    def data_received(self, data: bytes) -> None:
        if self.head.done():
            return
        self._data += data
        end = self._data.find(b"\r\n\r\n")
        if end >= 0 and end + 4 < len(self._data):  # the server speaks second
            self.head.set_exception(ConnectionError("the proxy sent data after its answer"))
        elif end >= 0:
            self.head.set_result(bytes(self._data))
        elif len(self._data) > self.LIMIT:
            self.head.set_exception(ConnectionError("the proxy's answer is too long"))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.head.done():
            self.head.set_exception(ConnectionError("the proxy closed the connection"))
