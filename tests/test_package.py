"""The published package: build/dist/ (scripts/build_dist.py runs ``python -m build``).

The sdist and the pure wheel built from it pass ``twine check --strict``; the wheel is
``py3-none-any``; the metadata's version is pyws's one ``__version__``; the sdist holds what
a rebuild and a reader need; and the bundled index serves that very wheel.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import pyws
from harness import ROOT

DIST = ROOT / "build" / "dist"
VERSION = pyws.__version__


@pytest.fixture(scope="module")
def sdist() -> Path:
    path = DIST / f"pyws-{VERSION}.tar.gz"
    assert path.is_file(), f"{path} is missing: run `make setup`"
    return path


@pytest.fixture(scope="module")
def wheel() -> Path:
    (path,) = DIST.glob("pyws-*.whl")
    return path


def test_twine_check_strict_passes(sdist: Path, wheel: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_the_wheel_is_pure_and_its_version_is_pyws_version(wheel: Path) -> None:
    assert wheel.name == f"pyws-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        meta = Parser().parsestr(zf.read(f"pyws-{VERSION}.dist-info/METADATA").decode())
        wheel_meta = zf.read(f"pyws-{VERSION}.dist-info/WHEEL").decode()
        names = zf.namelist()
    assert "Tag: py3-none-any" in wheel_meta and "Root-Is-Purelib: true" in wheel_meta
    assert meta["Version"] == VERSION
    assert "pyws/py.typed" in names
    assert not [n for n in names if n.endswith(".pyc")], "bytecode only in the precompiled one"
    classifiers = meta.get_all("Classifier") or []
    for wanted in (
        "Environment :: WebAssembly :: Emscripten",
        "Framework :: AsyncIO",
        "Operating System :: OS Independent",
        "Topic :: Internet :: WWW/HTTP",
        "Typing :: Typed",
    ):
        assert wanted in classifiers
    assert meta["Description-Content-Type"] == "text/markdown"


def test_the_sdist_holds_the_sources_changelog_and_licence(sdist: Path) -> None:
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    for wanted in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "pyws/__init__.py"):
        assert wanted in names
    assert "pyws/_platform/websocket.py" in names and "pyws/compat/aiohttp.py" in names
    assert not [n for n in names if n.startswith(("tests/", "build/", "web/"))]


def test_the_changelog_records_this_version() -> None:
    assert f"## {VERSION} " in (ROOT / "CHANGELOG.md").read_text()


def test_the_index_serves_the_wheel_built_from_the_sdist(wheel: Path) -> None:
    served = ROOT / "build" / "simple" / "pyws" / wheel.name
    assert served.read_bytes() == wheel.read_bytes()
    page = (ROOT / "build" / "simple" / "pyws" / "index.html").read_text()
    assert f"{wheel.name}#sha256={hashlib.sha256(wheel.read_bytes()).hexdigest()}" in page
