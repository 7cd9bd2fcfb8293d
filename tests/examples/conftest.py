"""Fixtures of the install-path tests: the examples' two foreign origins, stood in for.

Chromium is launched for these tests alone with ``--host-rules`` mapping
``http://127.0.0.1:8000`` (where the examples expect the bundled server) to the session's
bundled server, and ``https://cdn.jsdelivr.net`` to harness/cdn.py's stand-in, whose one
certificate it trusts. The example files are served as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from playwright.sync_api import Browser, BrowserType

from harness import cdn
from harness.config import browser_config
from harness.server import ServerProcess
from harness.tls import spki_hash


@pytest.fixture(scope="session")
def cdn_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """The jsDelivr stand-in's port, and the SPKI hash of its certificate."""
    folder = tmp_path_factory.mktemp("cdn")
    leaf = trustme.CA(organization_name="pyws examples CDN").issue_cert(cdn.CDN_HOST)
    chain, key = folder / "cdn.pem", folder / "cdn.key"
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    full = cdn.full_distribution(folder / "full")
    with cdn.serve_cdn(full, chain, key) as port:
        yield port, spki_hash(leaf.cert_chain_pems[0].bytes())


@pytest.fixture(scope="module")
def examples_browser(
    browser_type: BrowserType,
    browser_name: str,
    live_server: ServerProcess,
    cdn_port: tuple[int, str],
) -> Iterator[Browser]:
    if browser_name != "chromium":
        pytest.skip("the install paths run in Chromium (--host-rules)")
    port, spki = cdn_port
    options = browser_config().launch_options()
    args = [
        *options.pop("args"),  # type: ignore[misc]
        f"--host-rules={cdn.host_rules(live_server.port, port)}",
        f"--ignore-certificate-errors-spki-list={spki}",
    ]
    browser = browser_type.launch(**options, args=args)  # type: ignore[arg-type]
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def example_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "examples"
