""":class:`Backoff`: how long to wait before the next reconnection attempt.

Full jitter: each delay is drawn uniformly between 0 and the exponential cap,
``uniform(0, min(max_delay, initial * factor ** attempt))``, and drawn anew on every call.
Of the schemes the AWS Architecture Blog compared ("Exponential Backoff And Jitter",
2015), full jitter did the least total work and finished soonest when many clients
compete; and RFC 6455 §7.2.3 asks clients to randomise their reconnection delays so that
a server restart is not met by every client at the same instant. Libraries that draw the
random part once, when they load (partysocket, reconnecting-websocket), keep every client
in lock step.
"""

from __future__ import annotations

import math
import random

__all__ = ["Backoff"]


def _positive(name: str, value: object, minimum: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not {value!r}")
    if math.isnan(value) or math.isinf(value) or value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum}, not {value!r}")
    return float(value)


class Backoff:
    """Full-jitter exponential backoff.

    ``initial`` is the cap of the first delay, ``factor`` how much the cap grows per
    attempt, ``max_delay`` the largest cap. ``rng`` is a :class:`random.Random`, for
    reproducible delays in tests; by default each Backoff seeds its own from the system.
    """

    __slots__ = ("factor", "initial", "max_delay", "rng")

    def __init__(
        self,
        *,
        initial: float = 1.0,
        factor: float = 2.0,
        max_delay: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self.initial = _positive("initial", initial, 0.0)
        self.factor = _positive("factor", factor, 1.0)
        self.max_delay = _positive("max_delay", max_delay, 0.0)
        if rng is not None and not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, not {rng!r}")
        self.rng = rng if rng is not None else random.Random()

    def cap(self, attempt: int) -> float:
        """The largest delay that attempt ``attempt`` (0 for the first retry) may draw."""
        if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 0:
            raise ValueError(f"attempt must be an int >= 0, not {attempt!r}")
        try:
            grown = self.initial * self.factor**attempt
        except OverflowError:
            grown = math.inf
        return min(self.max_delay, grown)

    def delay(self, attempt: int) -> float:
        """A fresh draw from ``uniform(0, cap(attempt))``, in seconds."""
        return self.rng.uniform(0.0, self.cap(attempt))

    def __repr__(self) -> str:
        return (
            f"pyws.Backoff(initial={self.initial}, factor={self.factor}, "
            f"max_delay={self.max_delay})"
        )
