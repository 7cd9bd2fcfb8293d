"""pyws in plain CPython, over pyws._platform.cpython, against the bundled server.

Coroutine tests run through the unit tests' hook (imported, so it applies here too): each
in a fresh event loop of its own thread.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.server import ServerProcess, start_server
from tests.unit.conftest import pytest_pyfunc_call

__all__ = ["pytest_pyfunc_call"]


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    """The bundled server (compression off, as by default) for every test here."""
    with start_server() as server:
        yield server
