"""One generic registry for every stage's methods.

A method is registered under a name together with its pydantic config model,
a one-line description and its paper reference, and, for the conformance suite
(:mod:`xlt.testing.checks`), an example config that runs in seconds, the optional
modules its backend needs, and, where the backend takes no seed, why its output
varies between runs. Third-party packages add methods through the entry-point
group ``xlt.<stage>`` (each entry point is a module that registers its methods
when imported). A stage may name its own built-in modules the same way
(``stage_registry("task_models", builtins=("xlt.models.crf", ...))``): they are imported on
the first lookup, so a module that only needs the registry never imports the implementations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import entry_points
from importlib.util import find_spec
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from xlt.errors import ConfigError, UnknownNameError

T = TypeVar("T")

#: stands, in an example config, for the path of the tiny offline test model
#: (:func:`xlt.testing.tiny.build_tiny_model`); the conformance suite substitutes it
TINY_MODEL = "<tiny-model>"
#: stands, in an example config, for a small English<TAB>xx dictionary of the conformance suite's
#: words (:func:`xlt.testing.augmenter_checks.tiny_dictionary`), written where the check runs
TINY_DICTIONARY = "<tiny-dictionary>"


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered method: its factory, config model and documentation."""

    name: str
    factory: Callable[..., T]
    config: type | None
    description: str
    reference: str | None
    #: options of a config that exercises the method in seconds on a CPU (the conformance suite
    #: builds it); None: there is none (e.g. a real encoder to fine-tune), and the suite skips it
    example: Mapping[str, Any] | None = field(default_factory=dict)
    #: importable modules the backend needs beyond xlt's dependencies (an optional extra)
    requires: tuple[str, ...] = ()
    #: why one seed does not fix the output (e.g. an unseeded sampler); None: the output is deterministic
    unseeded: str | None = None
    #: the tasks a task model serves (``pos``, ``ner``, ``classification``); empty for other stages
    tasks: tuple[str, ...] = ()

    @property
    def deterministic(self) -> bool:
        """Whether two runs with the same config (seed included) give the same output."""
        return self.unseeded is None


class Registry(Generic[T]):
    """A named collection of methods for one stage (``aligners``, ``rankers``...)."""

    def __init__(self, stage: str, builtins: tuple[str, ...] = ()) -> None:
        self.stage = stage
        self.builtins = builtins
        self._entries: dict[str, Entry[T]] = {}
        self._plugins_loaded = False

    def register(
        self,
        name: str,
        *,
        config: type | None = None,
        description: str | None = None,
        reference: str | None = None,
        example: Mapping[str, Any] | None = MappingProxyType({}),
        requires: tuple[str, ...] = (),
        unseeded: str | None = None,
        tasks: tuple[str, ...] = (),
    ) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator registering a class or function under ``name``.

        The description defaults to the first line of the object's docstring. ``example`` is a
        quick config for the conformance suite (:data:`TINY_MODEL` stands for the tiny test
        model's path; None when no config runs in seconds), ``requires`` the optional modules the
        backend imports, ``unseeded`` why the output varies under one seed (exempting the method
        from the determinism check), and ``tasks`` the tasks a task model serves.
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
                example=None if example is None else dict(example),
                requires=tuple(requires),
                unseeded=unseeded,
                tasks=tuple(tasks),
            )
            return obj

        return decorator

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for module in self.builtins:
            if find_spec(module) is not None:  # an optional backend may be left out of a build
                import_module(module)
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


def stage_registry(stage: str, builtins: tuple[str, ...] = ()) -> Registry[Any]:
    """The registry of ``stage``, created on first use (one per stage).

    ``builtins``: modules that register the stage's own methods, imported on the first lookup.
    """
    if stage not in STAGES:
        STAGES[stage] = Registry(stage, builtins)
    elif builtins:
        STAGES[stage].builtins = tuple(dict.fromkeys((*STAGES[stage].builtins, *builtins)))
    return STAGES[stage]
