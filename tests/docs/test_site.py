"""The docs site (``make docs``: build/docs) and the README that points into it."""

from __future__ import annotations

import pkgutil
import re

import pytest

import pyws
from harness import ROOT

SITE = ROOT / "build" / "docs"
README = (ROOT / "README.md").read_text()


def public_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(pyws.__path__, "pyws.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]


@pytest.fixture(scope="module")
def api() -> str:
    page = SITE / "api.html"
    assert page.is_file(), "build/docs is missing: run the tests with `make test` (or make docs)"
    return page.read_text()


@pytest.mark.parametrize("name", pyws.__all__)
def test_every_name_of_pyws_all_is_in_the_api_reference(api: str, name: str) -> None:
    if name == "sync":
        assert 'id="module-pyws.sync"' in api
    else:
        assert re.search(rf'id="pyws\.(\w+\.)?{name}"', api), name


@pytest.mark.parametrize("module", public_modules())
def test_every_public_module_is_in_the_api_reference(api: str, module: str) -> None:
    assert f'id="module-{module}"' in api


def test_every_page_of_docs_is_in_the_site() -> None:
    for page in (ROOT / "docs").glob("*.md"):
        assert (SITE / f"{page.stem}.html").is_file(), page


def test_the_readme_is_short_and_names_the_two_commands() -> None:
    assert len(README) <= 8000, len(README)
    assert "make demo" in README and "make test" in README


def test_the_readme_compat_section_names_all_three_families() -> None:
    section = README[README.index("## Code written for other WebSocket clients") :]
    section = section[: section.index("\n## ", 1)]
    for family in ("websockets", "aiohttp", "websocket-client"):
        assert f"**{family}**" in section, family


def test_the_readme_links_into_the_docs() -> None:
    links = re.findall(r"\]\((docs/[^)#]+)", README)
    assert len(links) >= 8
    for link in links:
        assert (ROOT / link).is_file(), link
