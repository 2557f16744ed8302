"""Model-level merging: load models (hub id or path), match parameters, merge, save.

Encoders with task heads merge as well as language models: parameters are
matched by name after removing the base-model prefix (``roberta.``, ``bert.``...),
so a token-classification model and a masked-LM of the same encoder share their
encoder weights. Parameters only the first model has (its task head) are copied
from it unchanged and listed in the result; shape or label-set mismatches are
clear errors. The output has the first model's architecture and tokenizer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt.config import MethodConfig, atomic_write_text
from xlt.errors import ConfigError, MismatchError


@dataclass
class MergeResult:
    """What ``merge_models`` did."""

    out: Path | None
    method: str
    models: list[str]
    base: str | None
    merged_parameters: int
    copied_parameters: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)


def load_tokenizer(name_or_path: str | Path, *, trust_remote_code: bool = False):
    """The model's tokenizer, or None when it has none."""
    from xlt.hub import ModelLoadError
    from xlt.hub import load_tokenizer as hub_tok

    try:
        return hub_tok(name_or_path, trust_remote_code=trust_remote_code)
    except (ModelLoadError, TypeError):
        return None


def canonical_state(model) -> dict[str, Any]:
    """``model.state_dict()`` keyed by names without the base-model prefix."""
    prefix = getattr(model, "base_model_prefix", "") or ""
    out = {}
    for k, v in model.state_dict().items():
        ck = k[len(prefix) + 1 :] if prefix and k.startswith(prefix + ".") else k
        out[ck] = v
    return out


def _check_labels(models: Sequence[Any], names: Sequence[str]) -> None:
    first = getattr(models[0].config, "id2label", None)
    for m, n in zip(models[1:], names[1:], strict=True):
        other = getattr(m.config, "id2label", None)
        if first and other and len(first) == len(other) and dict(first) != dict(other):
            raise MismatchError(
                f"task heads of {names[0]} and {n} use different label maps "
                f"({dict(first)} vs {dict(other)}); merging them would mix unrelated classes",
                hint="retrain with the same label list, or merge encoders only (a masked-LM has no labels)",
            )


def merge_state(
    method,
    states: Sequence[Mapping[str, Any]],
    *,
    base_state: Mapping[str, Any] | None = None,
    names: Sequence[str] = (),
) -> tuple[dict[str, Any], list[str]]:
    """Merge canonical state dicts: shared keys by ``method``, keys only the first has copied.

    Returns (merged state keyed like ``states[0]``, copied key names).
    """
    names = list(names) or [f"model {i}" for i in range(len(states))]
    first = states[0]
    shared = [k for k in first if all(k in s for s in states[1:]) and (base_state is None or k in base_state)]
    if not shared:
        raise MismatchError(
            f"{names[0]} shares no parameter names with the other models; are they the same architecture?"
        )
    for k in shared:
        for s, n in zip(
            [*states[1:], *([base_state] if base_state is not None else [])],
            [*names[1:], "base"],
            strict=False,
        ):
            if tuple(s[k].shape) != tuple(first[k].shape):
                raise MismatchError(
                    f"parameter {k}: shape {tuple(first[k].shape)} in {names[0]} but {tuple(s[k].shape)} in {n}",
                    hint="different vocabulary sizes, label counts or model sizes cannot be merged",
                )
    merged = method.merge(
        [{k: s[k] for k in shared} for s in states],
        base=None if base_state is None else {k: base_state[k] for k in shared},
    )
    copied = [k for k in first if k not in merged]
    out = {k: merged[k] if k in merged else first[k] for k in first}
    return out, copied


def merge_models(
    method_name: str,
    models: Sequence[str | Path],
    *,
    config: MethodConfig | Mapping[str, Any] | None = None,
    base: str | Path | None = None,
    out: str | Path | None = None,
    trust_remote_code: bool = False,
):
    """Merge ``models`` with a registered method and (optionally) save to ``out``.

    Returns ``(merged_model, MergeResult)``.
    """
    from xlt.hub import load_saved_model
    from xlt.merging.methods import mergers

    method = mergers.build(method_name, dict(config) if isinstance(config, Mapping) else config)
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ConfigError(
            f"--out {out}: an existing file is in the way; expected a directory to save the merged model in "
            "(checked before any model is loaded)"
        )
    if not models:
        raise ConfigError("no models given to merge")
    if getattr(method, "needs_base", False) and base is None:
        raise ConfigError(f"merge method {method_name!r} needs a base model (--base)")
    names = [str(m) for m in models]
    loaded = [load_saved_model(m, trust_remote_code=trust_remote_code) for m in models]
    types = {getattr(m.config, "model_type", None) for m in loaded}
    base_model = load_saved_model(base, trust_remote_code=trust_remote_code) if base is not None else None
    if base_model is not None:
        types.add(getattr(base_model.config, "model_type", None))
    if len(types) > 1:
        raise MismatchError(f"models have different architectures ({', '.join(sorted(map(str, types)))})")
    _check_labels(loaded, names)
    states = [canonical_state(m) for m in loaded]
    base_state = canonical_state(base_model) if base_model is not None else None
    merged, copied = merge_state(method, states, base_state=base_state, names=names)

    target = loaded[0]
    prefix = getattr(target, "base_model_prefix", "") or ""
    own_keys = target.state_dict().keys()
    full = {}
    for k in own_keys:
        ck = k[len(prefix) + 1 :] if prefix and k.startswith(prefix + ".") else k
        full[k] = merged[ck]
    target.load_state_dict(full, strict=True)
    result = MergeResult(
        out=Path(out) if out is not None else None,
        method=method_name,
        models=names,
        base=str(base) if base is not None else None,
        merged_parameters=len(merged) - len(copied),
        copied_parameters=copied,
        config=method.config.to_dict(),
    )
    if out is not None:
        save_merged(target, result, tokenizer=load_tokenizer(models[0], trust_remote_code=trust_remote_code))
    return target, result


def save_merged(model, result: MergeResult, *, tokenizer=None) -> None:
    """save_pretrained (safetensors) + tokenizer + ``merge.yaml`` describing the merge."""
    import yaml

    assert result.out is not None
    out = Path(result.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    if tokenizer is not None:
        tokenizer.save_pretrained(out)
    record = {
        "method": result.method,
        "models": result.models,
        "base": result.base,
        "config": result.config,
        "merged_parameters": result.merged_parameters,
        "copied_from_first_model": result.copied_parameters,
    }
    atomic_write_text(out / "merge.yaml", yaml.safe_dump(record, sort_keys=False, allow_unicode=True))
