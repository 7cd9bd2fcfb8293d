"""Placeholder: being written."""

from __future__ import annotations

from typing import Any

StreamTransport: Any = None
parse_url: Any = None
