"""Assertion helpers for scenarios: pytest is not loaded on every target, so the suite has
its own ``raises``, with pytest's meaning."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Caught:
    """What :func:`raises` caught; ``value`` is set once the block has raised."""

    value: BaseException | None = None


@contextmanager
def raises(
    kind: type[BaseException] | tuple[type[BaseException], ...], match: str | None = None
) -> Iterator[Caught]:
    """Fail unless the block raises ``kind`` whose message matches the regex ``match``."""
    caught = Caught()
    try:
        yield caught
    except kind as exc:
        caught.value = exc
        if match is not None and not re.search(match, str(exc)):
            raise AssertionError(f"{exc!r} does not match {match!r}") from exc
    else:
        names = kind.__name__ if isinstance(kind, type) else [k.__name__ for k in kind]
        raise AssertionError(f"{names} was not raised")
