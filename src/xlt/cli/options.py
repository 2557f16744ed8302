"""CLI options generated from pydantic config models.

A config model's ``Field`` descriptions, ``Literal`` choices and defaults are the single source
of a command's option help: :func:`config_options` turns the fields of one or more models into
typer options and hands the command the values that were given as one dict (``None``-valued,
absent flags are left out, so a YAML ``--config`` file underneath keeps its values)::

    @app.command("align")
    @config_options(EflomalConfig, EmbeddingAlignerConfig, exclude=("method",))
    def align_cmd(..., options: dict[str, Any]) -> None:
        cfg = config_from_cli(cfg_cls, config_file=config, sets=sets, flags=options)

Mapping from field type to option:

- ``Literal[...]``: the choices, listed in ``--help`` and checked by the parser;
- ``bool``: ``--name/--no-name``;
- ``list[T]`` / ``tuple[T, ...]`` (and ``T | list[T]``): a repeated flag (``--layer 8 --layer 9``),
  comma-joined values accepted too for the fields named in ``comma``;
- ``int``, ``float``, ``str``, ``Path`` (optionally ``| None``): one value;
- nested models and dicts get no flag (``--set key.sub=value`` reaches them).

The flag is the field name with dashes (``min_coverage`` -> ``--min-coverage``) unless ``names``
gives others; ``aliases`` adds hidden spellings (old flags that keep working).
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from xlt.errors import ConfigError

__all__ = [
    "OptionSpec",
    "check_applicable",
    "config_options",
    "hidden_aliases",
    "model_options",
    "split_commas",
]

F = TypeVar("F", bound=Callable[..., Any])

_SCALARS: tuple[type, ...] = (bool, int, float, str, Path)


@dataclass(frozen=True)
class OptionSpec:
    """One generated option: the config key it sets, the parameter typer sees, how to convert."""

    key: str
    param: str
    annotation: Any
    info: Any  # typer's OptionInfo
    owners: tuple[str, ...] = ()
    comma: bool = False
    scalar_if_one: bool = False
    choice_aliases: Mapping[str, str] = field(default_factory=dict)
    parse_yaml: bool = False

    def parameter(self) -> inspect.Parameter:
        return inspect.Parameter(
            self.param, inspect.Parameter.KEYWORD_ONLY, default=self.info, annotation=self.annotation
        )

    def convert(self, value: Any) -> Any:
        """The CLI value as the config expects it (None when the flag was not given)."""
        if value is None:
            return None
        if self.parse_yaml:
            from xlt.config import apply_overrides

            return apply_overrides({}, [f"v={value}"])["v"]
        if isinstance(value, (list, tuple)):
            items = split_commas(value) if self.comma else list(value)
            if not items:
                return None
            items = [self.choice_aliases.get(v, v) if isinstance(v, str) else v for v in items]
            return items[0] if self.scalar_if_one and len(items) == 1 else items
        return self.choice_aliases.get(value, value) if isinstance(value, str) else value


def split_commas(values: Iterable[Any]) -> list[Any]:
    """Repeated values with comma-joined ones split (``["a,b", "c"]`` -> ``["a", "b", "c"]``)."""
    out: list[Any] = []
    for v in values:
        if isinstance(v, str):
            out.extend(p.strip() for p in v.split(",") if p.strip())
        else:
            out.append(v)
    return out


def flag_name(key: str) -> str:
    """``min_coverage`` -> ``--min-coverage``."""
    return "--" + key.replace("_", "-")


def _strip_none(annotation: Any) -> tuple[Any, ...]:
    """The members of a union other than None (one member for a plain type)."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


def _element(annotation: Any) -> Any | None:
    """The element type of ``list[T]`` / ``tuple[T, ...]`` / ``set[T]`` / ``frozenset[T]``, else None."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (list, set, frozenset) and len(args) == 1:
        return args[0]
    if origin is tuple and (len(args) == 2 and args[1] is Ellipsis):
        return args[0]
    return None


def _simple(annotation: Any) -> Any | None:
    """A scalar or Literal type a flag can take, picked from a (possibly union) element type."""
    for member in _strip_none(annotation):
        if get_origin(member) is Literal or member in _SCALARS:
            return member
    return None


def cli_type(annotation: Any) -> tuple[Any, bool, bool] | None:
    """``(flag type, repeated, scalar_if_one)`` for a field annotation; None when no flag fits."""
    members = _strip_none(annotation)
    lists = [e for e in (_element(m) for m in members) if e is not None]
    if lists:
        elem = _simple(lists[0])
        if elem is None or elem is bool:
            return None
        scalars = [m for m in members if _element(m) is None]
        return list[elem], True, bool(scalars)  # type: ignore[valid-type]
    if len(members) != 1:
        simple = [m for m in members if _simple(m) is not None]
        if not simple:
            return None
        members = (simple[0],)
    simple = _simple(members[0])
    return (simple, False, False) if simple is not None else None


def _default(info: FieldInfo) -> Any:
    """The model default as the option's default (None: none to show, e.g. a nested model)."""
    if info.is_required():
        return None
    try:
        value = info.get_default(call_default_factory=True)
    except TypeError:  # a factory that needs the other fields
        return None
    if isinstance(value, (dict, BaseModel)) or value in ((), []):
        return None
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else value


def _merge_help(parts: list[tuple[str, str]], n_models: int) -> str:
    """One help text: the description, prefixed by the methods it applies to when not all."""
    texts = list(dict.fromkeys(desc for _, desc in parts))
    owners = [name for name, _ in parts]
    if len(texts) == 1:
        prefix = "" if len(owners) == n_models or n_models == 1 else f"{', '.join(owners)}: "
        return prefix + texts[0]
    return " ".join(f"{name}: {desc if desc.endswith(('.', ')')) else desc + '.'}" for name, desc in parts)


def _model_name(model: type[BaseModel]) -> str:
    method = model.model_fields.get("method")
    if method is not None and get_origin(method.annotation) is Literal:
        return str(get_args(method.annotation)[0])
    return model.__name__


def model_options(
    *models: type[BaseModel],
    include: Collection[str] | None = None,
    exclude: Collection[str] = (),
    names: Mapping[str, Sequence[str]] | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
    choice_aliases: Mapping[str, Mapping[str, str]] | None = None,
    comma: Collection[str] = (),
    panel: str | None = None,
    param_prefix: str = "opt_",
) -> list[OptionSpec]:
    """Option specs for the fields of ``models`` (their union, in field order).

    ``include``/``exclude`` pick fields; ``names`` gives a field other flag spellings (first is
    shown, e.g. ``{"output_dir": ("--out", "-o")}``); ``aliases`` adds hidden spellings;
    ``choice_aliases`` maps extra accepted values of a Literal field to its own values (they
    are listed among the choices); ``comma`` names list fields that also take ``a,b``.
    A field whose type differs between models takes one string, read like a ``--set`` value.
    """
    names, aliases, choice_aliases = dict(names or {}), dict(aliases or {}), dict(choice_aliases or {})
    fields: dict[str, list[tuple[type[BaseModel], FieldInfo]]] = {}
    for model in models:
        for key, info in model.model_fields.items():
            if key in exclude or (include is not None and key not in include):
                continue
            fields.setdefault(key, []).append((model, info))
    specs: list[OptionSpec] = []
    for key, owners in fields.items():
        kinds = {cli_type(info.annotation) for _, info in owners}
        if None in kinds:
            continue  # a nested model or a dict: reachable through --set
        mixed = len(kinds) > 1
        flag_type, repeated, scalar_if_one = (str, False, False) if mixed else kinds.pop()  # type: ignore[misc]
        extra = dict(choice_aliases.get(key, {}))
        elem = get_args(flag_type)[0] if repeated else flag_type
        if extra:
            values = get_args(elem) if get_origin(elem) is Literal else ()
            elem = Literal[tuple(dict.fromkeys([*values, *extra]))]  # type: ignore[valid-type]
            flag_type = list[elem] if repeated else elem  # type: ignore[valid-type]
        defaults = [_default(info) for _, info in owners]
        default = defaults[0] if not mixed and all(d == defaults[0] for d in defaults) else None
        help_text = _merge_help(
            [(_model_name(m), (i.description or "").strip()) for m, i in owners], len(models)
        )
        if repeated:
            help_text += " (repeatable" + (", or comma-separated)" if key in comma else ")")
        decls = list(names.get(key, (flag_name(key),)))
        if flag_type is bool and not any("/" in d for d in decls):
            decls = [f"{decls[0]}/--no-{decls[0].lstrip('-')}", *decls[1:]]
        common = {
            "key": key,
            "annotation": flag_type if repeated or default is not None else flag_type | None,
            "owners": tuple(_model_name(m) for m, _ in owners),
            "comma": key in comma,
            "scalar_if_one": scalar_if_one,
            "choice_aliases": extra,
            "parse_yaml": mixed,
        }
        metavar = _metavar(elem) if repeated else None
        info = typer.Option(
            default,
            *decls,
            help=help_text,
            show_default=default is not None,
            rich_help_panel=panel,
            metavar=metavar,
        )
        specs.append(OptionSpec(param=param_prefix + key, info=info, **common))
        for n, alias in enumerate(aliases.get(key, ())):
            if flag_type is bool and "/" not in alias:
                alias = f"{alias}/--no-{alias.lstrip('-')}"
            hidden = typer.Option(default, alias, hidden=True)
            specs.append(OptionSpec(param=f"{param_prefix}{key}__{n}", info=hidden, **common))
    return specs


def _metavar(elem: Any) -> str:
    if get_origin(elem) is Literal:
        return "<" + "|".join(str(v) for v in get_args(elem)) + ">"
    return f"<{getattr(elem, '__name__', 'value').lower()}>"


def given(ctx: Any, param: str) -> bool:
    """Whether ``param`` came from the command line (or the environment), not its default."""
    source = ctx.get_parameter_source(param)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def collect(specs: Sequence[OptionSpec], values: Mapping[str, Any], ctx: Any = None) -> dict[str, Any]:
    """The config values given on the command line, keyed by field (one spelling per field).

    With ``ctx`` (the click context), values that are only the option's default are left out.
    """
    out: dict[str, Any] = {}
    given_by: dict[str, str] = {}
    for spec in specs:
        if ctx is not None and not given(ctx, spec.param):
            continue
        value = spec.convert(values.get(spec.param))
        if value is None:
            continue
        flag = spec.info.param_decls[0].split("/")[0]
        if spec.key in out and out[spec.key] != value:
            raise ConfigError(f"{given_by[spec.key]} and {flag} set the same option; give one of them")
        out[spec.key] = value
        given_by[spec.key] = flag
    return out


def _rewrap(
    func: Callable[..., Any], drop: str | None, add: Sequence[inspect.Parameter]
) -> inspect.Signature:
    sig = inspect.signature(func, eval_str=True)
    params = [p for p in sig.parameters.values() if p.name != drop]
    taken = {p.name for p in params}
    clash = [p.name for p in add if p.name in taken]
    if clash:
        raise TypeError(f"{func.__name__}: generated option parameters clash with {clash}")
    return sig.replace(parameters=[*params, *add])


def _install(wrapper: Callable[..., Any], sig: inspect.Signature) -> None:
    wrapper.__signature__ = sig  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in sig.parameters.values()}
    if sig.return_annotation is not inspect.Signature.empty:
        wrapper.__annotations__["return"] = sig.return_annotation


def config_options(*models: type[BaseModel], dest: str = "options", **kwargs: Any) -> Callable[[F], F]:
    """Decorator: add the options of :func:`model_options` to a typer command.

    The command takes a parameter ``dest`` (default ``options``): the dict of the config values
    given on the command line (defaults left out). Put it below ``@app.command()``.
    """
    specs = model_options(*models, **kwargs)

    def decorate(func: F) -> F:
        sig = inspect.signature(func, eval_str=True)
        ctx_param = next((p.name for p in sig.parameters.values() if _is_context(p.annotation)), None)
        extra = [s.parameter() for s in specs]
        if ctx_param is None:
            ctx_param = "_xlt_ctx"
            extra.append(
                inspect.Parameter(ctx_param, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
            )
        own_ctx = ctx_param not in sig.parameters

        @functools.wraps(func)
        def wrapper(*args: Any, **kw: Any) -> Any:
            values = {s.param: kw.pop(s.param, None) for s in specs}
            ctx = kw.pop(ctx_param) if own_ctx else kw.get(ctx_param)
            return func(*args, **kw, **{dest: collect(specs, values, ctx)})

        _install(wrapper, _rewrap(func, dest, extra))
        wrapper.option_specs = specs  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def _is_context(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, typer.Context)


def hidden_aliases(**aliases: str | Sequence[str]) -> Callable[[F], F]:
    """Decorator: old spellings of a hand-written option that keep working, hidden from ``--help``.

    ``@hidden_aliases(out="--output-dir")`` adds a hidden ``--output-dir`` whose value lands in
    the ``out`` parameter (giving both with different values is an error). The option must
    not be required.
    """
    table = {p: (a,) if isinstance(a, str) else tuple(a) for p, a in aliases.items()}

    def decorate(func: F) -> F:
        sig = inspect.signature(func, eval_str=True)
        added: list[inspect.Parameter] = []
        for param, spellings in table.items():
            target = sig.parameters[param]
            if getattr(target.default, "default", None) is ...:
                raise TypeError(f"{func.__name__}: {param} is required; a hidden alias needs an optional one")
            for n, spelling in enumerate(spellings):
                option = typer.Option(None, spelling, hidden=True)
                added.append(
                    inspect.Parameter(
                        f"{param}__alias{n}",
                        inspect.Parameter.KEYWORD_ONLY,
                        default=option,
                        annotation=target.annotation,
                    )
                )

        @functools.wraps(func)
        def wrapper(*args: Any, **kw: Any) -> Any:
            for param, spellings in table.items():
                for n, spelling in enumerate(spellings):
                    value = kw.pop(f"{param}__alias{n}", None)
                    if value in (None, [], ()):
                        continue
                    if kw.get(param) not in (None, [], ()) and kw[param] != value:
                        raise ConfigError(
                            f"{spelling} is an old spelling of {_shown(sig, param)}; give one of them"
                        )
                    kw[param] = value
            return func(*args, **kw)

        _install(wrapper, _rewrap(func, None, added))
        return wrapper  # type: ignore[return-value]

    return decorate


def _shown(sig: inspect.Signature, param: str) -> str:
    decls = getattr(sig.parameters[param].default, "param_decls", None) or (flag_name(param),)
    return str(decls[0])


def check_applicable(options: Mapping[str, Any], model: type[BaseModel], what: str) -> None:
    """A ConfigError when a given flag is not a field of ``model`` (e.g. the chosen aligner's)."""
    unknown = [k for k in options if k not in model.model_fields]
    if unknown:
        raise ConfigError(f"{flag_name(unknown[0])} does not apply to {what}")
