"""HTTP ``CONNECT`` proxies for the CPython transport (:mod:`.cpython`): which proxy the
system names for a host (:func:`proxy_for`), and a tunnel through one (:class:`Proxy`).
A browser applies its own proxy settings; CPython has only these. Imported lazily, in
CPython only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import urllib.parse
import urllib.request
from base64 import b64encode

from websockets.http11 import USER_AGENT

from .._redact import redact

__all__ = ["Proxy", "proxy_for"]


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
                f"proxy {redact(repr(url))}: pyws in CPython tunnels through http:// and "
                "https:// proxies (HTTP CONNECT); SOCKS proxies are not supported"
            )
        if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(
                f"proxy {redact(repr(url))}: expected scheme://[user:password@]host[:port]"
            )
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
                raise ConnectionError(
                    f"proxy {redact(self.url)} refused CONNECT {host}:{port}: {status}"
                )
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
