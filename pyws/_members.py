"""Members that several pyws classes share, written once: an attribute read from another
object (:class:`forward`), ``async with`` that closes (:class:`ClosesOnExit`), and an
opener that is awaited or used as ``async with`` (:class:`Opener`)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from operator import attrgetter
from typing import Any, Never, Protocol, Self, overload

__all__ = ["ClosesOnExit", "ClosesOnExitSync", "Opener", "forward", "settable"]


class forward[T]:
    """A read-only attribute that reads the attribute of the same name (or ``name``) of the
    object at ``via``, a dotted path from the instance: ``url = forward[str]("aio")`` reads
    ``self.aio.url``.

    ``convert`` is applied to the value read, unless it is None; where the object at
    ``via`` is None, the attribute is None. Setting it raises :exc:`AttributeError`, as for
    a property without a setter.
    """

    def __init__(
        self,
        via: str,
        doc: str,
        *,
        name: str | None = None,
        convert: Callable[[Any], T] | None = None,
    ) -> None:
        self.__doc__ = doc
        self._via = attrgetter(via)
        self._path = via
        self._name = name
        self._convert = convert

    def __set_name__(self, owner: type, name: str) -> None:
        self._attribute = name
        if self._name is None:
            self._name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> Self | T:
        if obj is None:
            return self
        target = self._via(obj)
        if target is None:
            return None  # type: ignore[return-value]  # T includes None where this happens
        assert self._name is not None  # set by __set_name__
        value = getattr(target, self._name)
        if value is None or self._convert is None:
            return value  # type: ignore[no-any-return]
        return self._convert(value)

    def __set__(self, obj: object, value: Never) -> None:
        raise AttributeError(
            f"property {self._attribute!r} of {type(obj).__name__!r} object has no setter"
        )


class settable[T](forward[T]):
    """A :class:`forward` attribute that can be set too: setting it sets the other
    object's (no ``convert`` applies then)."""

    def __set__(self, obj: object, value: T) -> None:
        assert self._name is not None  # set by __set_name__
        setattr(self._via(obj), self._name, value)


class _Closable(Protocol):
    async def close(self) -> object: ...


class ClosesOnExit:
    """``async with`` that gives the object itself and, on leaving (also on an exception),
    awaits its ``close()`` with its default arguments: code 1000, as a page may not send
    1011."""

    __slots__ = ()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> object:
        """Closes; what it returns is the subclass's to say."""
        raise NotImplementedError


class ClosesOnExitSync:
    """``with`` that gives the object itself and, on leaving (also on an exception), calls
    its ``close()`` with its default arguments: code 1000, as a page may not send 1011."""

    __slots__ = ()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> object:
        """Closes; what it returns is the subclass's to say."""
        raise NotImplementedError


class Opener[C: _Closable]:
    """What opens a connection with :meth:`_open`: ``await`` it for the connection, or
    use it as ``async with``, which closes the connection on leaving (also on an
    exception)."""

    _opened: C | None = None

    async def _open(self) -> C:
        raise NotImplementedError

    def __await__(self) -> Generator[Any, None, C]:
        return self._open().__await__()

    async def __aenter__(self) -> C:
        self._opened = await self._open()
        return self._opened

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._opened is not None
        await self._opened.close()
