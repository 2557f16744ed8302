"""The conformance suite: what every registered method of a stage must do, as plain functions.

Each ``check_<stage>(name, ...)`` builds the method from its registration's example config
(:attr:`xlt.registry.Entry.example`) and checks, on a few tiny inputs:

- the registration documents the method (description, reference, an :class:`~xlt.config.XltConfig`);
- the output has the stage's types and one result per input, with links and labels in range;
- the config survives a YAML round trip, and an unknown key is a clear :class:`~xlt.errors.ConfigError`;
- the inputs are left unchanged;
- two runs with one seed agree, unless the registration declares ``unseeded`` (e.g. eflomal,
  whose sampler takes no seed);
- bad input (mismatched lengths or keys, an unfitted model) raises an :class:`~xlt.errors.XltError`.

A plugin author registers a method with an ``example`` config and runs, e.g.::

    @pytest.mark.parametrize("name", aligners.names())
    def test_aligner(name, tiny_model_dir):
        check_aligner(name, tiny_model=tiny_model_dir)

Methods whose ``requires`` modules are missing, or which have no quick example, are skipped
(``pytest.skip``) with a message saying why. Checks fail with ``AssertionError``.
"""

from __future__ import annotations

import copy
import importlib.util
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from xlt.registry import TINY_MODEL, Entry, Registry

# --- tiny inputs ---------------------------------------------------------------------------------


def sentence_pairs() -> list[Any]:
    """Twelve short English-German pairs (three distinct, repeated)."""
    from xlt.types import SentencePair

    return [
        SentencePair(("the", "house"), ("das", "haus")),
        SentencePair(("a", "small", "house"), ("ein", "kleines", "haus")),
        SentencePair(("the", "car"), ("das", "auto")),
    ] * 4


def projection_inputs() -> tuple[list[Any], list[Any], list[Any]]:
    """``(source, target, alignments)``: a BIO-labelled sentence, an unaligned token, an empty sentence."""
    from xlt.types import Alignment, LabeledSentence, Sentence

    source = [
        LabeledSentence(("John", "lives", "in", "Paris"), ("B-PER", "O", "O", "B-LOC")),
        LabeledSentence(("hello",), ("O",)),
        LabeledSentence((), ()),
    ]
    target = [
        Sentence(("John", "wohnt", "in", "Paris", "."), id="0"),
        Sentence(("hallo", "du")),
        Sentence(("x",)),
    ]
    alignments = [
        Alignment(frozenset({(0, 0), (1, 1), (2, 2), (3, 3)})),
        Alignment(frozenset({(0, 0)})),
        Alignment(),
    ]
    return source, target, alignments


_WORDS = {
    "DET": ["the", "a", "this"],
    "NOUN": ["cat", "dog", "house", "tree"],
    "VERB": ["runs", "sees", "eats"],
}


def tagging_data(n: int = 40, seed: int = 0) -> list[Any]:
    """``n`` DET NOUN VERB DET NOUN sentences (an easily learnt tagging task)."""
    from xlt.types import LabeledSentence

    rng = random.Random(seed)
    tags = ("DET", "NOUN", "VERB", "DET", "NOUN")
    return [LabeledSentence(tuple(rng.choice(_WORDS[t]) for t in tags), tags, id=str(k)) for k in range(n)]


def classification_data(n: int = 30, seed: int = 0) -> list[Any]:
    """``n`` five-word texts about sport or food (an easily learnt classification task)."""
    from xlt.types import TextExample

    rng = random.Random(seed)
    topics = {"sport": ["goal", "match", "team", "score"], "food": ["bread", "rice", "soup", "cook"]}
    out = []
    for k in range(n):
        label = "sport" if k % 2 else "food"
        out.append(TextExample(" ".join(rng.choice(topics[label]) for _ in range(5)), label, id=str(k)))
    return out


def state_dict(seed: int) -> dict[str, Any]:
    """A small parameter dict: two layers, a bias and an integer buffer."""
    import torch

    g = torch.Generator().manual_seed(seed)
    return {
        "encoder.layer.0.weight": torch.randn(3, 4, generator=g),
        "encoder.layer.1.weight": torch.randn(3, 4, generator=g),
        "pooler.bias": torch.randn(4, generator=g),
        "position_ids": torch.arange(4),
    }


# --- building from a registration ---------------------------------------------------------------


def substitute_placeholders(value: Any, table: Mapping[str, Path | None]) -> Any:
    """``value`` (an example config) with every placeholder string of ``table`` (``TINY_MODEL``,
    ``TINY_DICTIONARY``) replaced by its path; a placeholder with no path is an AssertionError."""
    if isinstance(value, str) and value in table:
        path = table[value]
        if path is None:
            what = "the tiny model: pass tiny_model=" if value == TINY_MODEL else f"{value}: pass its path"
            raise AssertionError(f"this example config needs {what}")
        return str(path)
    if isinstance(value, Mapping):
        return {k: substitute_placeholders(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_placeholders(v, table) for v in value]
    return value


def example_config(entry: Entry[Any], *, tiny_model: Path | None = None) -> dict[str, Any]:
    """The registration's example options, with :data:`~xlt.registry.TINY_MODEL` replaced by ``tiny_model``."""
    return substitute_placeholders(dict(entry.example or {}), {TINY_MODEL: tiny_model})


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or the module blocked in sys.modules
        return False


def skip_unless_runnable(entry: Entry[Any]) -> None:
    """``pytest.skip`` a method whose optional modules are missing or that has no quick example."""
    import pytest

    missing = [module for module in entry.requires if not _importable(module)]
    if missing:
        pytest.skip(f"{entry.name} needs {', '.join(missing)}, which is not installed (an optional extra)")
    if entry.example is None:
        pytest.skip(f"{entry.name} has no example config that runs in seconds; its own tests cover it")


def check_registration(entry: Entry[Any]) -> None:
    """A description, a reference and an XltConfig model."""
    from xlt.config import XltConfig

    assert entry.description, f"{entry.name}: no description (first docstring line)"
    assert entry.reference, f"{entry.name}: no reference"
    assert isinstance(entry.config, type) and issubclass(entry.config, XltConfig), (
        f"{entry.name}: the config model must be an XltConfig"
    )
    assert entry.unseeded is None or entry.unseeded.strip(), f"{entry.name}: unseeded needs a reason"


def check_config(config: Any, tmp_path: Path) -> None:
    """YAML round trip (file and dict) and a ConfigError naming an unknown key."""
    import pytest

    from xlt.errors import ConfigError

    cls = type(config)
    path = tmp_path / "config.yaml"
    config.save_yaml(path)
    assert cls.from_yaml(path) == config, "the config changed through save_yaml/from_yaml"
    assert cls.from_dict(config.to_dict()) == config, "the config changed through to_dict/from_dict"
    with pytest.raises(ConfigError, match="not_an_option"):
        cls.from_dict({**config.to_dict(), "not_an_option": 1})


def _build(registry: Registry[Any], name: str, tiny_model: Path | None, **overrides: Any) -> Any:
    return registry.build(name, {**example_config(registry.entry(name), tiny_model=tiny_model), **overrides})


def _prepare(registry: Registry[Any], name: str) -> Entry[Any]:
    entry = registry.entry(name)
    check_registration(entry)
    skip_unless_runnable(entry)
    return entry


# --- stages --------------------------------------------------------------------------------------


def check_aligner(name: str, *, tiny_model: Path | None, tmp_path: Path) -> None:
    """The :class:`~xlt.alignment.WordAligner` contract."""
    from xlt.alignment import WordAligner, aligners
    from xlt.types import Alignment

    entry = _prepare(aligners, name)
    assert "symmetrize" in entry.config.model_fields, (
        f"{name}: the symmetrization heuristic must be configurable"
    )
    aligner = _build(aligners, name, tiny_model)
    assert isinstance(aligner, WordAligner)
    check_config(aligner.config, tmp_path)
    pairs = sentence_pairs()
    before = copy.deepcopy(pairs)
    out = aligner.align(pairs[:5], extra=pairs[5:])
    assert pairs == before, "align must not change its input"
    assert len(out) == 5, "one alignment per pair (none for the extra pairs)"
    for pair, alignment in zip(pairs[:5], out, strict=True):
        assert isinstance(alignment, Alignment)
        assert all(0 <= i < len(pair.src) and 0 <= j < len(pair.tgt) for i, j in alignment.links)
    assert any(a.links for a in out), "no links at all"
    assert aligner.align([]) == []
    if entry.deterministic:
        again = _build(aligners, name, tiny_model).align(pairs[:5], extra=pairs[5:])
        assert again == out, f"{name}: two runs with one config disagree (declare unseeded= if expected)"
        # the symmetrization heuristic is applied: intersection links are a subset of union links
        narrow = _build(aligners, name, tiny_model, symmetrize="intersection").align(
            pairs[:5], extra=pairs[5:]
        )
        wide = _build(aligners, name, tiny_model, symmetrize="union").align(pairs[:5], extra=pairs[5:])
        assert all(n.links <= w.links for n, w in zip(narrow, wide, strict=True)), (
            f"{name}: symmetrize=intersection gave links that union did not"
        )


def check_projector(name: str, *, tmp_path: Path) -> None:
    """The :class:`~xlt.projection.LabelProjector` contract."""
    import pytest

    from xlt.errors import MismatchError
    from xlt.projection import LabelProjector, projectors
    from xlt.types import LabeledSentence

    entry = _prepare(projectors, name)
    projector = _build(projectors, name, None)
    assert isinstance(projector, LabelProjector)
    check_config(projector.config, tmp_path)
    source, target, alignments = projection_inputs()
    before = copy.deepcopy((source, target, alignments))
    out = projector.project(source, target, alignments)
    assert (source, target, alignments) == before, "project must not change its inputs"
    assert len(out) == len(source)
    for sentence, projected in zip(target, out, strict=True):
        assert isinstance(projected, LabeledSentence)
        assert projected.tokens == sentence.tokens and projected.id == sentence.id
        assert len(projected.labels) == len(sentence.tokens)
        assert len(projected.meta["confidence"]) == len(sentence)
        assert all(0.0 <= c <= 1.0 for c in projected.meta["confidence"])
    # one-to-one links carry every source label onto its target word
    assert out[0].labels[:4] == ("B-PER", "O", "O", "B-LOC")
    assert projector.stats_["sentences"] == 3
    assert projector.project([], [], []) == []
    with pytest.raises(MismatchError):
        projector.project(source[:2], target, alignments)
    if entry.deterministic:
        assert _build(projectors, name, None).project(source, target, alignments) == out


def _accuracy(pred: Sequence[Any], data: Sequence[Any]) -> float:
    if hasattr(data[0], "label"):
        return sum(p == ex.label for p, ex in zip(pred, data, strict=True)) / len(data)
    pairs = [(p, g) for ps, s in zip(pred, data, strict=True) for p, g in zip(ps, s.labels, strict=True)]
    return sum(p == g for p, g in pairs) / len(pairs)


def check_task_model(name: str, *, tmp_path: Path, tiny_model: Path | None = None) -> None:
    """The :class:`~xlt.models.base.TaskModel` contract: fit / predict / save / load, learning
    an easy task, partial labels for token tasks, errors before fitting."""
    import pytest

    from xlt.errors import XltError
    from xlt.models import task_models
    from xlt.models.base import TOKEN_TASKS, TaskModel
    from xlt.types import LabeledSentence

    entry = _prepare(task_models, name)
    assert entry.tasks, f"{name}: a task model must declare the tasks it serves"
    token_task = any(t in TOKEN_TASKS for t in entry.tasks)
    data = tagging_data() if token_task else classification_data()
    seed = {"seed": 3} if "seed" in entry.config.model_fields else {}
    model = _build(task_models, name, tiny_model, **seed)
    assert isinstance(model, TaskModel)
    check_config(model.config, tmp_path)
    with pytest.raises(XltError):
        model.predict(data[:2])
    with pytest.raises(XltError):
        model.save(tmp_path / "unfitted")
    before = copy.deepcopy(data)
    assert model.fit(data) is model
    pred = model.predict(data)
    assert data == before, "fit and predict must not change their input"
    assert len(pred) == len(data)
    if token_task:
        assert all(isinstance(p, list) and len(p) == len(s) for p, s in zip(pred, data, strict=True))
    else:
        assert all(isinstance(p, str) for p in pred)
    assert _accuracy(pred, data) > 0.9, f"{name} did not learn an easy training set"
    model.save(tmp_path / "model")
    loaded = type(model).load(tmp_path / "model")
    assert loaded.predict(data) == pred and loaded.config == model.config
    assert not [f for f in (tmp_path / "model").rglob("*") if f.suffix in (".pkl", ".pickle", ".joblib")], (
        "saved models hold no pickles"
    )
    if entry.deterministic:
        assert _build(task_models, name, tiny_model, **seed).fit(data).predict(data) == pred
    if token_task:  # unlabelled (None) tokens, as projection leaves them
        full = tagging_data(60)
        partial = [
            LabeledSentence(
                s.tokens, tuple(None if (i + k) % 3 == 0 else t for i, t in enumerate(s.labels)), id=s.id
            )
            for k, s in enumerate(full)
        ]
        tagged = _build(task_models, name, tiny_model).fit(partial).predict(full)
        assert all(None not in p for p in tagged)
        assert _accuracy(tagged, full) > 0.9


def check_merger(name: str, *, tmp_path: Path, tiny_model: Path | None = None) -> None:
    """The :class:`~xlt.merging.methods.MergeMethod` contract on parameter dicts and, given the
    tiny model, on two perturbed copies of it saved and reloaded."""
    import pytest
    import torch

    import xlt.merging  # noqa: F401  (registers the built-in methods)
    from xlt.errors import MismatchError
    from xlt.merging.methods import mergers

    entry = _prepare(mergers, name)
    method = _build(mergers, name, tiny_model)
    check_config(method.config, tmp_path)
    states = [state_dict(1), state_dict(2)]
    copies = copy.deepcopy(states)
    base = state_dict(0) if method.needs_base else None
    out = method.merge(states, base=base)
    assert set(out) == set(states[0])
    for key, value in out.items():
        assert value.shape == states[0][key].shape and value.dtype == states[0][key].dtype
    assert torch.equal(out["position_ids"], torch.arange(4)), "integer buffers are not merged"
    for state, kept in zip(states, copies, strict=True):
        assert all(torch.equal(state[k], kept[k]) for k in state), "merge must not change its inputs"
    if entry.deterministic:
        again = _build(mergers, name, tiny_model).merge([state_dict(1), state_dict(2)], base=base)
        assert all(torch.equal(out[k], again[k]) for k in out)
    same = state_dict(3)
    identity = method.merge([same, copy.deepcopy(same)], base=same if method.needs_base else None)
    assert all(torch.allclose(identity[k].float(), same[k].float()) for k in same), (
        "merging a model with itself must give it back"
    )
    other = state_dict(2)
    del other["pooler.bias"]
    with pytest.raises(MismatchError):
        method.merge([state_dict(1), other], base=state_dict(0) if method.needs_base else None)
    if tiny_model is not None:
        _check_merged_model(name, method, tiny_model, tmp_path)


def _check_merged_model(name: str, method: Any, tiny_model: Path, tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from xlt.merging.models import merge_models

    inputs = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        model = AutoModelForMaskedLM.from_pretrained(tiny_model)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.add_(torch.randn_like(parameter) * 0.02)
        model.save_pretrained(tmp_path / f"input-{seed}")
        AutoTokenizer.from_pretrained(tiny_model).save_pretrained(tmp_path / f"input-{seed}")
        inputs.append(tmp_path / f"input-{seed}")
    out = tmp_path / "merged"
    merged, _ = merge_models(
        name, inputs, config=method.config, base=tiny_model if method.needs_base else None, out=out
    )
    reloaded = AutoModelForMaskedLM.from_pretrained(out).eval()
    encoded = AutoTokenizer.from_pretrained(out)(["Hitza zen ."], return_tensors="pt")
    with torch.no_grad():
        assert torch.equal(merged.eval()(**encoded).logits, reloaded(**encoded).logits), (
            "the saved merged model computes something else"
        )


def check_initializer(
    name: str,
    *,
    source_model: Callable[[], Any],
    source_tokenizer: Any,
    target_tokenizer: Any,
    data: Any,
    tmp_path: Path,
    tiny_model: Path | None = None,
) -> None:
    """The :class:`~xlt.vocab.initializers.EmbeddingInitializer` contract: a finite
    (|V_target|, d) matrix, special tokens copied, the source model untouched, and a
    transferred model that saves and reloads to the same outputs.

    ``source_model()`` returns a fresh copy of the source masked LM each call.
    """
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from xlt.vocab.apply import save_transferred, transfer_model
    from xlt.vocab.initializers import EmbeddingInitializer, initializers, special_token_pairs

    entry = _prepare(initializers, name)
    initializer = _build(initializers, name, tiny_model)
    assert isinstance(initializer, EmbeddingInitializer)
    check_config(initializer.config, tmp_path)
    model = source_model()
    source = model.get_input_embeddings().weight.detach().clone()
    matrix = initializer.initialize(model, source_tokenizer, target_tokenizer, data)
    assert matrix.shape == (len(target_tokenizer), source.shape[1]) and matrix.dtype == source.dtype
    assert torch.isfinite(matrix).all()
    assert torch.equal(model.get_input_embeddings().weight, source), "the source model must not change"
    for target_id, source_id in special_token_pairs(source_tokenizer, target_tokenizer).items():
        assert torch.equal(matrix[target_id], source[source_id]), "special tokens are copied"
    if entry.deterministic:
        again = _build(initializers, name, tiny_model).initialize(
            source_model(), source_tokenizer, target_tokenizer, data
        )
        assert torch.equal(matrix, again)
    adapted, report = transfer_model(source_model(), source_tokenizer, target_tokenizer, initializer, data)
    assert report.target_vocab_size == len(target_tokenizer)
    assert sum(report.rows.values()) == len(target_tokenizer)
    out = tmp_path / "transferred"
    save_transferred(adapted, target_tokenizer, out, report)
    reloaded = AutoModelForMaskedLM.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert reloaded.config.vocab_size == len(tokenizer)
    assert reloaded.config.pad_token_id == tokenizer.pad_token_id
    assert reloaded.config.eos_token_id == tokenizer.eos_token_id
    assert (
        reloaded.get_output_embeddings().weight.data_ptr()
        == reloaded.get_input_embeddings().weight.data_ptr()
    )
    assert reloaded.get_output_embeddings().bias.shape == (len(tokenizer),)
    encoded = tokenizer(["Hitza Jainkoarekin zen ."], return_tensors="pt")
    adapted.eval()
    with torch.no_grad():
        assert torch.equal(adapted(**encoded).logits, reloaded(**encoded).logits)


__all__ = [
    "check_aligner",
    "check_config",
    "check_initializer",
    "check_merger",
    "check_projector",
    "check_registration",
    "check_task_model",
    "classification_data",
    "example_config",
    "projection_inputs",
    "sentence_pairs",
    "skip_unless_runnable",
    "state_dict",
    "substitute_placeholders",
    "tagging_data",
]
