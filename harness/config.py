"""The browser settings: ``playwright.config.py`` is the one place where they live."""

from __future__ import annotations

from types import ModuleType

from harness import ROOT
from harness.modules import load_module


def browser_config() -> ModuleType:
    """playwright.config.py: ``HOST``, ``LAUNCH_ARGS``, ``executable_path()``, ..."""
    return load_module(ROOT / "playwright.config.py", "pyws_playwright_config")


HOST: str = browser_config().HOST
"""Loopback: what every server binds to and every page is served from."""
