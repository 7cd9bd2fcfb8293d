"""The one loader of Python files by path, for files that no package holds.

``playwright.config.py`` cannot be imported by name (its file name has a dot), and
``web/bench/*.py`` are the page's own modules, which import each other by bare name.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_module(path: Path, name: str | None = None) -> ModuleType:
    """The Python file at ``path`` as module ``name`` (default: the file's stem).

    Loaded once per process: the module is registered in ``sys.modules`` under ``name``,
    and a second call returns it.
    """
    name = name or path.stem
    if (loaded := sys.modules.get(name)) is not None:
        if Path(loaded.__file__ or "") != path:
            raise ImportError(f"module {name!r} is already {loaded.__file__}, not {path}")
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as module {name!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
