"""pyws._url.parse_url: what ``new URL(url)`` gives in a browser (WHATWG URL),
in CPython.

Each expected value is what the URL Standard's parser returns for the ws, wss, http and
https schemes; Chromium 156's ``new URL`` agrees on every case but the one marked.
"""

from __future__ import annotations

import pytest

from pyws._url import parse_url
from pyws._validation import ParsedURL


@pytest.mark.parametrize(
    ("url", "href", "host"),
    [
        ("ws://h/echo", "ws://h/echo", "h"),
        ("WSS://H:443/x?q=1", "wss://h/x?q=1", "h"),  # default port dropped
        ("http://Example.COM:80", "http://example.com/", "example.com"),
        ("https://h:444/a/./b/../c", "https://h:444/a/c", "h:444"),
        ("ws://h:0080/", "ws://h/", "h"),
        ("ws://h:/x", "ws://h/x", "h"),
        ("ws:///path", "ws://path/", "path"),  # special schemes skip any slashes
        ("ws:h/x", "ws://h/x", "h"),
        ("ws://h\\a\\..\\b", "ws://h/b", "h"),  # "\" is "/"
        ("ws://h/%2e%2E/x", "ws://h/x", "h"),
        ("ws://h?x", "ws://h/?x", "h"),
        ("ws://h/?", "ws://h/?", "h"),
        ("ws://h/#", "ws://h/#", "h"),
        ("  ws://exam\tple.com/\n ", "ws://example.com/", "example.com"),
        ("ws://h/a b?c d'\"#f g", "ws://h/a%20b?c%20d%27%22#f%20g", "h"),
        ("ws://h/é?é", "ws://h/%C3%A9?%C3%A9", "h"),
        ("ws://h/%zz%41", "ws://h/%zz%41", "h"),  # existing escapes stay as they are
        ("ws://bücher.de/", "ws://xn--bcher-kva.de/", "xn--bcher-kva.de"),
        ("ws://user:pa ss@h/", "ws://user:pa%20ss@h/", "h"),
        ("ws://u@h/", "ws://u@h/", "h"),
        ("ws://@h/", "ws://h/", "h"),
        ("ws://a@b@c/", "ws://a%40b@c/", "c"),
        ("ws://127.1/", "ws://127.0.0.1/", "127.0.0.1"),
        ("ws://0x7f.0.0.1:81/", "ws://127.0.0.1:81/", "127.0.0.1:81"),
        ("ws://0177.1./", "ws://127.0.0.1/", "127.0.0.1"),
        ("ws://[::1]:80/echo", "ws://[::1]/echo", "[::1]"),
        ("ws://[1:0:0:2:0:0:0:3]/", "ws://[1:0:0:2::3]/", "[1:0:0:2::3]"),
        ("ws://[0:0:0:0:0:ffff:1.2.3.4]/", "ws://[::ffff:102:304]/", "[::ffff:102:304]"),
        ("ws://[::]/", "ws://[::]/", "[::]"),
    ],
)
def test_parses_and_normalises_as_the_browser(url: str, href: str, host: str) -> None:
    assert parse_url(url) == ParsedURL(href, href.partition(":")[0], host)


@pytest.mark.parametrize(
    "url",
    [
        "echo",  # relative: no page to resolve it against
        "/echo",
        "//h/echo",
        "127.0.0.1:8000/echo",
        "ws://h:99999/",
        "ws://h:8a/",
        "ws://h:80:90/",
        "ws://:80/",
        "ws://u@/",
        "ws://256.1/",
        "ws://1.2.3.4.5/",
        "ws://1.2.3.09/",
        "ws://[::1/",
        "ws://[::1]x/",
        "ws://[fe80::1%25eth0]/",
        "ws://a%80b/",  # the host is not UTF-8
        "ws://a%20b/",  # Chromium accepts it; pyws._validation.check_host refuses it first
    ],
)
def test_fails_where_the_browser_fails(url: str) -> None:
    assert parse_url(url) is None


@pytest.mark.parametrize("url", ["ftp://h/", "mailto:x", "localhost:8000/echo"])
def test_other_schemes_come_back_for_check_url_to_name(url: str) -> None:
    parsed = parse_url(url)
    assert parsed is not None
    assert parsed.scheme == url.partition(":")[0]
