"""A tiny registry of swappable backends keyed by mode name.

Factories are named as ``"package.module:attribute"`` strings so that listing and validating
modes never imports a backend's heavy dependencies.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from newsqa.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps a mode name to a factory; unknown modes raise an error listing the valid ones."""

    def __init__(self, kind: str, factories: dict[str, str] | None = None) -> None:
        self.kind = kind
        self._factories: dict[str, str | Callable[..., T]] = dict(factories or {})

    @property
    def modes(self) -> list[str]:
        return sorted(self._factories)

    def check(self, mode: str) -> str:
        """Return ``mode`` if known, else raise ``ConfigError`` naming the valid modes."""
        if mode not in self._factories:
            raise ConfigError(
                f"unknown {self.kind} mode {mode!r}; valid modes: {', '.join(self.modes)}"
            )
        return mode

    def factory(self, mode: str) -> Callable[..., T]:
        target = self._factories[self.check(mode)]
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            obj: Any = importlib.import_module(module_name)
            for part in attr.split("."):
                obj = getattr(obj, part)
            target = obj
            self._factories[mode] = target
        return target

    def create(self, mode: str, *args: Any, **kwargs: Any) -> T:
        """Build the backend registered for ``mode``."""
        return self.factory(mode)(*args, **kwargs)
