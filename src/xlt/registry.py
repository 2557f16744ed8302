"""One generic registry for every stage's methods.

A method is registered under a name together with its pydantic config model,
a one-line description and its paper reference. Third-party packages add
methods through the entry-point group ``xlt.<stage>`` (each entry point is a
module that registers its methods when imported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from xlt.errors import ConfigError, UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered method: its factory, config model and documentation."""

    name: str
    factory: Callable[..., T]
    config: type | None
    description: str
    reference: str | None


class Registry(Generic[T]):
    """A named collection of methods for one stage (``aligners``, ``rankers``...)."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self._entries: dict[str, Entry[T]] = {}
        self._plugins_loaded = False

    def register(
        self,
        name: str,
        *,
        config: type | None = None,
        description: str | None = None,
        reference: str | None = None,
    ) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator registering a class or function under ``name``.

        The description defaults to the first line of the object's docstring.
        """

        def decorator(obj: Callable[..., T]) -> Callable[..., T]:
            if name in self._entries:
                raise ConfigError(f"{self.stage} method {name!r} is registered twice")
            doc = (obj.__doc__ or "").strip().splitlines()
            self._entries[name] = Entry(
                name=name,
                factory=obj,
                config=config,
                description=description or (doc[0] if doc else ""),
                reference=reference,
            )
            return obj

        return decorator

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=f"xlt.{self.stage}"):
            ep.load()

    def entry(self, name: str) -> Entry[T]:
        self._load_plugins()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(f"{self.stage} method", name, self._entries) from None

    def get(self, name: str) -> Callable[..., T]:
        """The registered factory (usually a class) for ``name``."""
        return self.entry(name).factory

    def config_class(self, name: str) -> type:
        entry = self.entry(name)
        if entry.config is None:
            raise ConfigError(f"{self.stage} method {name!r} has no config model")
        return entry.config

    def build(self, name: str, config: Any = None, /, **overrides: Any) -> T:
        """Instantiate ``name`` with a config object, a dict, or keyword overrides."""
        entry = self.entry(name)
        if entry.config is None:
            return entry.factory(**overrides) if config is None else entry.factory(config, **overrides)
        if config is None:
            config = {}
        if isinstance(config, dict):
            data = {**config, **overrides}
            fields = getattr(entry.config, "model_fields", {})
            if "method" in fields and "method" not in data:
                data["method"] = name
            from_dict = getattr(entry.config, "from_dict", None)
            config = (
                from_dict(data, source=f"{self.stage} method {name!r}") if from_dict else entry.config(**data)
            )
        elif overrides:
            config = config.model_copy(update=overrides)
        return entry.factory(config)

    def names(self) -> list[str]:
        self._load_plugins()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        self._load_plugins()
        return name in self._entries

    def __iter__(self) -> Iterator[Entry[T]]:
        self._load_plugins()
        return iter([self._entries[n] for n in sorted(self._entries)])

    def __len__(self) -> int:
        self._load_plugins()
        return len(self._entries)


#: every stage registry, filled by the stage packages (see ``xlt.methods``)
STAGES: dict[str, Registry[Any]] = {}


def stage_registry(stage: str) -> Registry[Any]:
    """The registry of ``stage``, created on first use (one per stage)."""
    if stage not in STAGES:
        STAGES[stage] = Registry(stage)
    return STAGES[stage]
