"""Sphinx configuration of the docs site: ``make docs`` builds it into build/docs.

Why Sphinx with furo and MyST (docs/about-these-docs.md): the pages stay Markdown (the
README's and the compat pages' own form, readable on any forge), and autodoc renders the
API reference from the docstrings, with types, as the ``websockets`` docs do.
"""

from __future__ import annotations

import pkgutil
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyws  # noqa: E402

project = "pyws"
author = "The pyws developers"
copyright = "2026, The pyws developers"
release = pyws.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

# Every page is Markdown; any new docs/*.md joins the site: index.md's last table of
# contents lists, in place of OTHER-PAGES, every page that no other one of its lists names
# (a toctree's own :glob: would list again what the other toctrees hold).
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"

myst_enable_extensions = ["colon_fence", "deflist"]
# Links to headings: [text](page.md#a-heading), checked like links to pages.
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_default_options = {"members": True, "show-inheritance": True}
# The browser's modules exist only in Pyodide: autodoc imports pyws in CPython.
autodoc_mock_imports = ["js", "pyodide", "pyodide_js"]

# Unresolvable references to names outside pyws (no intersphinx: the docs build offline)
# are not errors; every reference into pyws and every link between pages is (-n, -W).
nitpick_ignore_regex = [
    (r"py:.*", r"(?!pyws\b).*"),
    # Private modules and the internal types that signatures name (documented in the source).
    (r"py:.*", r"pyws\.(.*\.)?_.*"),
    (r"py:class", r"pyws\.bounds\.Bounds|pyws\.compat\.aiohttp\.HandshakeResponse"),
]


def _list_other_pages(app: Any, docname: str, source: list[str]) -> None:
    if docname != "index":
        return
    listed = set(re.findall(r"^([\w-]+)$", source[0], re.MULTILINE))
    others = sorted(
        page.stem for page in Path(app.srcdir).glob("*.md") if page.stem not in listed | {"index"}
    )
    source[0] = source[0].replace("OTHER-PAGES", "\n".join(others))


def _public_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(pyws.__path__, "pyws.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]


def _document_other_modules(app: Any, docname: str, source: list[str]) -> None:
    """api.md, plus a section for each public module it does not document yet (a module
    added later is in the reference at once; api.md can then say more about it)."""
    if docname != "api":
        return
    for name in _public_modules():
        if f".. automodule:: {name}\n" not in source[0]:
            source[0] += (
                f"\n## `{name}`\n\n```{{eval-rst}}\n.. automodule:: {name}\n"
                "   :members:\n   :show-inheritance:\n```\n"
            )


def setup(app: Any) -> None:
    app.connect("source-read", _list_other_pages)
    app.connect("source-read", _document_other_modules)


html_theme = "furo"
html_title = f"pyws {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
