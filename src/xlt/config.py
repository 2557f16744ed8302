"""Config models: one pydantic base, YAML round-trip and dotted overrides.

Every method's options are a subclass of :class:`MethodConfig`; recipes and CLI
flags are built from the same models, so a default is declared exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from xlt.errors import ConfigError

C = TypeVar("C", bound="XltConfig")


class XltConfig(BaseModel):
    """Base of all config models: unknown keys are errors, instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    @classmethod
    def from_dict(cls: type[C], data: Mapping[str, Any], *, source: str | None = None) -> C:
        """Validate ``data``; errors name the offending key (and the file, if given)."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as err:
            raise ConfigError(format_validation_error(err, source=source)) from None

    @classmethod
    def from_yaml(cls: type[C], path: str | Path, overrides: Iterable[str] = ()) -> C:
        data = load_yaml(path)
        data = apply_overrides(data, overrides)
        return cls.from_dict(data, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def save_yaml(self, path: str | Path) -> None:
        atomic_write_text(path, self.to_yaml())


class MethodConfig(XltConfig):
    """Config of one registered method; subclasses set ``method: Literal[...]``
    and, where randomness is involved, a ``seed`` field."""


def format_validation_error(err: ValidationError, *, source: str | None = None) -> str:
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "<root>"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{key}: {msg}")
    where = f"{source}: " if source else ""
    return f"{where}invalid configuration\n  " + "\n  ".join(lines)


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses duplicate keys and bounds alias expansion.

    Aliases are counted while composing (at most :func:`xlt.limits.max_yaml_aliases`), and
    the size of the document with every alias expanded is computed on the node graph before
    any Python object is built (at most :func:`xlt.limits.max_yaml_nodes` nodes), so a
    "billion laughs" document fails in microseconds instead of exhausting memory later,
    when the config is validated or hashed.
    """

    def __init__(self, stream: str, source: str) -> None:
        from xlt.limits import max_yaml_aliases

        super().__init__(stream)
        self.source = source
        self.aliases = 0
        self.max_aliases = max_yaml_aliases()

    def _where(self, mark: Any) -> str:
        return f"{self.source}:{mark.line + 1}" if mark is not None else self.source

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.max_aliases:
                event = self.peek_event()
                raise ConfigError(
                    f"{self._where(event.start_mark)}: more than {self.max_aliases} YAML aliases (*name); "
                    "expected a plain config (raise the cap with XLT_MAX_YAML_ALIASES if this is intended)"
                )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: PyYAML rejects it itself
                    continue
                if first is None:
                    seen[key] = key_node.start_mark.line + 1
                else:
                    raise ConfigError(
                        f"{self._where(key_node.start_mark)}: duplicate key {key!r} (first given on line "
                        f"{first}); expected each key once (the later value would silently win)"
                    )
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 (PyYAML) reads ``1e-4`` and ``1.0e4`` as strings: its floats need a dot and a signed
# exponent. Read every exponent form as a float, as YAML 1.2 and JSON do, so a learning rate
# written ``1e-4`` is the same value (and the same step fingerprint) as ``1.0e-4``.
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"),
)


def _expanded_size(root: Any, source: str) -> int:
    """Nodes of the YAML graph with every alias expanded; refuses cycles and documents past the cap."""
    from xlt.limits import max_yaml_nodes

    cap = max_yaml_nodes()
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ConfigError(f"{source}:{node.start_mark.line + 1}: recursive YAML alias; expected a tree")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
                if total > cap:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > cap:
                    break
        active.discard(key)
        if total > cap:
            raise ConfigError(
                f"{source}:{node.start_mark.line + 1}: the YAML expands to more than {cap} values "
                "(aliases of aliases, a 'billion laughs' document?); expected a plain config "
                "(raise the cap with XLT_MAX_YAML_NODES if this is intended)"
            )
        sizes[key] = total
        return total

    return size(root)


def safe_load_yaml(text: str, source: str = "<yaml>") -> Any:
    """Parse one YAML document with :class:`_SafeLoader` (safe tags only, no duplicate keys,
    bounded alias expansion). Errors are :class:`ConfigError` naming ``source:line``."""
    loader = _SafeLoader(text, source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{source}{line}: invalid YAML: {getattr(err, 'problem', err)}") from None
    except RecursionError:
        raise ConfigError(f"{source}: YAML nested too deeply; expected a plain config") from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping safely (see :func:`safe_load_yaml`); a missing file, a file past
    :func:`xlt.limits.max_config_bytes` or a non-mapping top level is a ConfigError."""
    from xlt.limits import max_config_bytes

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: file not found")
    cap = max_config_bytes()
    if p.stat().st_size > cap:
        raise ConfigError(
            f"{p}: {p.stat().st_size} bytes is larger than a config may be ({cap} bytes; XLT_MAX_CONFIG_BYTES)"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{p}: invalid UTF-8 at byte {err.start}; expected a UTF-8 YAML file") from None
    data = safe_load_yaml(text, str(p))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping at the top level, found {type(data).__name__}")
    return data


def apply_overrides(data: Mapping[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` overrides (values parsed as YAML) to a nested dict copy."""
    out: dict[str, Any] = _deep_copy(data)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r}: expected KEY=VALUE, e.g. source.language=eng")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise ConfigError(f"override {item!r}: empty key")
        try:
            value = safe_load_yaml(raw, f"--set {key}") if raw.strip() else ""
        except ConfigError:
            value = raw
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            nxt = node.get(part)
            if nxt is None:
                nxt = node[part] = {}
            elif not isinstance(nxt, dict):
                raise ConfigError(f"override {item!r}: {part!r} is not a mapping")
            node = nxt
        node[parts[-1]] = value
    return out


def _deep_copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, Mapping) else v for k, v in data.items()}


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (temp file in the same dir + rename; umask honoured)."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`xlt.io.files.atomic_binary_writer`)."""
    from xlt.io.files import atomic_write_bytes as write

    write(path, data)
