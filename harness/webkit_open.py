"""Open a URL in WebKitGTK through WebKitWebDriver, trusting given certificates, until
stopped: ``python -m harness.webkit_open [--certificate HOST=FILE ...] URL``.

MiniBrowser alone cannot trust one certificate: its only switch, ``--ignore-tls-errors``,
accepts every certificate, so a server that must be refused would get through.
WebKitWebDriver's ``webkitgtk:browserOptions`` ``certificates`` allows exactly one
certificate for one host (what web-platform-tests does for WebKitGTK), so the scenario
suite's WebKit targets open their https runner page this way (harness/suite.py), as a
plain subprocess like every other browser target: the session is started
(:func:`harness.webdriver.webkit_driver`, on a private Xvfb), the URL opened, and nothing
more is asked of WebDriver. SIGTERM (or SIGINT) ends the session and this program.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from harness.webdriver import webkit_driver

SCREEN = "1280x800"


def _certificate(value: str) -> tuple[str, Path]:
    host, equals, path = value.partition("=")
    if not (host and equals and path):
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST=FILE")
    if not Path(path).is_file():
        raise argparse.ArgumentTypeError(f"no certificate file {path}")
    return host, Path(path)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.webkit_open", description=__doc__)
    parser.add_argument(
        "--certificate",
        type=_certificate,
        action="append",
        default=[],
        metavar="HOST=FILE",
        help="accept the certificate in FILE (PEM) for HOST",
    )
    parser.add_argument("--screen", default=SCREEN, help="the screen, WIDTHxHEIGHT")
    parser.add_argument("url")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with webkit_driver(args.screen, sys.stdout, certificates=dict(args.certificate)) as driver:
        driver.get(args.url)
        print(f"[webkit_open] opened {args.url}", flush=True)
        while True:
            signal.pause()


if __name__ == "__main__":
    sys.exit(main())
