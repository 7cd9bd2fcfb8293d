"""The WHATWG URL parser (https://url.spec.whatwg.org/), in Python, as it applies to the
special schemes pyws takes (ws, wss, http, https), for absolute URLs only: there is no page
to resolve a relative one against.

It stands in for the browser's ``URL`` where there is no browser (CPython), and touches
neither ``js`` nor sockets. urllib.parse would not do: it neither normalises
(percent-encoding, dot segments, IPv4 forms, default ports) nor fails where the browser
fails (and importing it costs about 120 ms in Pyodide).
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

from ._validation import ParsedURL

__all__ = ["DEFAULT_PORTS", "URL", "parse", "parse_url", "percent_decode"]

DEFAULT_PORTS = {"ws": 80, "wss": 443, "http": 80, "https": 443}
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


class URL(NamedTuple):
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
    if scheme not in DEFAULT_PORTS:
        return ParsedURL(f"{scheme}:{match[2]}", scheme, "")
    parts = parse(scheme, match[2])
    return None if parts is None else ParsedURL(parts.href, scheme, parts.host)


def _clean(url: str) -> str:
    """What the URL parser does first; lone surrogates become U+FFFD as in a JS string."""
    url = _SURROGATE.sub("\ufffd", url).strip(_C0_OR_SPACE)
    return url.replace("\t", "").replace("\n", "").replace("\r", "")


def parse(scheme: str, rest: str) -> URL | None:
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
    return URL(
        scheme,
        _encode(_USERINFO_SET, username),
        _encode(_USERINFO_SET, password),
        hostname,
        None if port == DEFAULT_PORTS[scheme] else port,
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


def percent_decode(text: str) -> bytes:
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
        domain = percent_decode(text).decode("utf-8")
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
