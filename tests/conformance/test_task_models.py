"""Conformance of every registered task-model backend: fit / predict / save / load, configs."""

from __future__ import annotations

import random

import pytest

from xlt.models import task_models
from xlt.models.base import TaskModel
from xlt.types import LabeledSentence, TextExample

# backends that need large downloads or a GPU are covered by their own tests
OFFLINE = [n for n in task_models.names() if n != "transformers"]

WORDS = {
    "DET": ["the", "a", "this"],
    "NOUN": ["cat", "dog", "house", "tree"],
    "VERB": ["runs", "sees", "eats"],
}


def _tagging_data(n: int = 40, seed: int = 0) -> list[LabeledSentence]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        seq = ["DET", "NOUN", "VERB", "DET", "NOUN"]
        toks = tuple(rng.choice(WORDS[t]) for t in seq)
        out.append(LabeledSentence(toks, tuple(seq), id=str(k)))
    return out


def _classification_data(n: int = 30, seed: int = 0) -> list[TextExample]:
    rng = random.Random(seed)
    topics = {"sport": ["goal", "match", "team", "score"], "food": ["bread", "rice", "soup", "cook"]}
    out = []
    for k in range(n):
        label = "sport" if k % 2 else "food"
        out.append(TextExample(" ".join(rng.choice(topics[label]) for _ in range(5)), label, id=str(k)))
    return out


def _data_for(name: str):
    return _classification_data() if name == "linear" else _tagging_data()


@pytest.mark.parametrize("name", OFFLINE)
def test_fit_predict_save_load_roundtrip(name: str, tmp_path) -> None:
    model = task_models.build(name, {})
    assert isinstance(model, TaskModel)
    data = _data_for(name)
    before = list(data)
    model.fit(data)
    assert data == before, "fit must not mutate its input"
    pred = model.predict(data)
    assert len(pred) == len(data)
    model.save(tmp_path / "m")
    loaded = type(model).load(tmp_path / "m")
    assert loaded.predict(data) == pred
    assert loaded.config == model.config
    # no pickles in saved models
    for f in (tmp_path / "m").rglob("*"):
        assert f.suffix not in (".pkl", ".pickle", ".joblib")


@pytest.mark.parametrize("name", OFFLINE)
def test_learns_training_data(name: str) -> None:
    data = _data_for(name)
    model = task_models.build(name, {}).fit(data)
    pred = model.predict(data)
    if name == "linear":
        acc = sum(p == ex.label for p, ex in zip(pred, data, strict=False)) / len(data)
    else:
        pairs = [
            (p, g) for ps, s in zip(pred, data, strict=False) for p, g in zip(ps, s.labels, strict=False)
        ]
        acc = sum(p == g for p, g in pairs) / len(pairs)
    assert acc > 0.9


@pytest.mark.parametrize("name", OFFLINE)
def test_config_yaml_roundtrip(name: str) -> None:
    cls = task_models.config_class(name)
    cfg = cls()
    again = cls.from_dict(__import__("yaml").safe_load(cfg.to_yaml()))
    assert again == cfg
    with pytest.raises(Exception, match="unknown key"):
        cls.from_dict({**cfg.to_dict(), "not_an_option": 1})


@pytest.mark.parametrize("name", OFFLINE)
def test_deterministic(name: str) -> None:
    data = _data_for(name)
    a = task_models.build(name, {"seed": 3}).fit(data).predict(data)
    b = task_models.build(name, {"seed": 3}).fit(data).predict(data)
    assert a == b


@pytest.mark.parametrize("name", [n for n in OFFLINE if n != "linear"])
def test_partial_labels(name: str) -> None:
    """Token backends train on sentences with unlabelled (None) tokens."""
    full = _tagging_data(60)
    partial = [
        LabeledSentence(
            s.tokens, tuple(None if (i + k) % 3 == 0 else lab for i, lab in enumerate(s.labels)), id=s.id
        )
        for k, s in enumerate(full)
    ]
    model = task_models.build(name, {}).fit(partial)
    pred = model.predict(full)
    assert all(None not in p for p in pred)
    pairs = [(p, g) for ps, s in zip(pred, full, strict=False) for p, g in zip(ps, s.labels, strict=False)]
    assert sum(p == g for p, g in pairs) / len(pairs) > 0.9


@pytest.mark.parametrize("name", OFFLINE)
def test_unfitted_model_errors(name: str, tmp_path) -> None:
    from xlt.errors import XltError

    model = task_models.build(name, {})
    with pytest.raises(XltError):
        model.predict(_data_for(name)[:2])
    with pytest.raises(XltError):
        model.save(tmp_path / "x")
