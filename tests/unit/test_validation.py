"""Bad arguments are refused in Python, with messages that name the bad value."""

from __future__ import annotations

import sys
from urllib.parse import urljoin, urlsplit

import pytest

import pyws
from pyws._options import warn_browser_cannot
from pyws._validation import (
    ParsedURL,
    check_subprotocols,
    check_timeout,
    check_url,
    check_write_limit,
)

PAGE = "http://127.0.0.1:8000/demo/index.html"


def parse(url: str, base: str | None = PAGE) -> ParsedURL | None:
    """A stand-in for the browser's URL parser (the real one is tested in Chromium)."""
    absolute = urljoin(base, url) if base else url
    parts = urlsplit(absolute)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port, as URL() throws
    except ValueError:
        return None
    if not parts.scheme:
        return None
    return ParsedURL(absolute, parts.scheme.lower(), parts.netloc)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ws://h/echo", "ws://h/echo"),
        ("wss://h:9/x?q=1", "wss://h:9/x?q=1"),
        ("http://h/echo", "ws://h/echo"),
        ("HTTPS://h/echo", "wss://h/echo"),
        ("/echo", "ws://127.0.0.1:8000/echo"),
        ("echo", "ws://127.0.0.1:8000/demo/echo"),
    ],
)
def test_urls_resolve_as_in_the_browser(url: str, expected: str) -> None:
    assert check_url(url, parse, True) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ftp://h/", "'ftp'"),
        ("ws://h/#frag", "fragment"),
        ("ws://h:99999/", "refused"),
        ("ws:///path", "no host"),
    ],
)
def test_bad_urls_raise_invalid_uri(url: str, fragment: str) -> None:
    with pytest.raises(pyws.InvalidURI, match=fragment) as info:
        check_url(url, parse, True)
    assert isinstance(info.value, ValueError)
    assert repr(url) in str(info.value)


@pytest.mark.parametrize("url", ["/echo", "echo", "//h/echo"])
def test_relative_url_without_a_page_says_why(url: str) -> None:
    with pytest.raises(pyws.InvalidURI, match=r"relative.*no page location") as info:
        check_url(url, lambda url: parse(url, None), False)
    assert repr(url) in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ws://exa mple.com/", "' '"),
        ("ws://exa%20mple.com/", "' '"),
        ("ws://a<b/", "'<'"),
        ("ws://a^b:80/", "'^'"),
        ("ws://user@a|b/", "'|'"),
        ("wss://a%25b/", "'%'"),
        ("ws://a\x01b/", "'\\x01'"),
        ("ws://a\x7fb/", "'\\x7f'"),
        ("http:\\\\a b/", "' '"),
        ("ws:a b/", "' '"),
        ("//a b/echo", "' '"),
        ("  ws://a%00b/", "'\\x00'"),
    ],
)
def test_forbidden_host_code_points_raise_before_parsing(url: str, shown: str) -> None:
    def never(url: str) -> ParsedURL | None:
        raise AssertionError("the platform's parser was reached")

    with pytest.raises(pyws.InvalidURI, match="forbidden domain code points") as info:
        check_url(url, never, True)
    assert shown in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "ws://exam\tple.com/",  # the parser removes tabs and newlines first
        "ws://[::1]:80/echo",
        "ws://h/a b?c d",  # path and query may hold spaces (they are percent-encoded)
        "ws://user:pa ss@h/",  # so may the password
        "/a b",
    ],
)
def test_hosts_the_url_standard_allows_pass(url: str) -> None:
    check_url(url, parse, True)


@pytest.mark.parametrize("url", [None, b"ws://h/", 1])
def test_url_type(url: object) -> None:
    with pytest.raises(TypeError, match="url must be a str"):
        check_url(url, parse, True)


def test_subprotocols() -> None:
    assert check_subprotocols(None) == []
    assert check_subprotocols(("v1.echo", "v2.echo")) == ["v1.echo", "v2.echo"]
    with pytest.raises(ValueError, match="duplicate subprotocol 'a'"):
        check_subprotocols(["a", "a"])
    for bad in ["", "a b", "a,b", "é", 'q"']:
        with pytest.raises(ValueError, match="invalid subprotocol"):
            check_subprotocols([bad])
    with pytest.raises(TypeError, match="list of str"):
        check_subprotocols("v1.echo")


def test_timeouts_and_limits() -> None:
    assert check_timeout("t", None) is None
    assert check_timeout("t", 0) == 0.0
    assert check_timeout("t", float("inf")) is None  # issue 21, item 6: no timeout
    for bad in (-1, -0.001, float("nan")):
        with pytest.raises(ValueError, match="t must be >= 0"):
            check_timeout("t", bad)
    for bad_type in ("1", True):
        with pytest.raises(TypeError):
            check_timeout("t", bad_type)
    with pytest.raises(ValueError, match="-1"):
        check_write_limit(-1)


def test_connect_in_cpython_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as if websockets were missing
    monkeypatch.setitem(sys.modules, "pyws._platform.cpython", None)
    monkeypatch.delattr(pyws._platform, "cpython", raising=False)  # imported by an earlier test
    with pytest.raises(RuntimeError, match=r"pip install 'pyws\[cpython\]'"):
        pyws.connect("ws://127.0.0.1/echo")


def test_options_a_browser_cannot_honour_warn_and_unknown_ones_fail() -> None:
    with pytest.warns(
        RuntimeWarning, match=r"ignores ping_interval=20.*answers the server's pings"
    ):
        warn_browser_cannot({"ping_interval": 20})
    with pytest.warns(RuntimeWarning, match="additional_headers"):
        warn_browser_cannot({"additional_headers": {"X": "1"}})
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        warn_browser_cannot({"colour": "red"})
