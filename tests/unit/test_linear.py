"""Character n-gram linear classifier."""

from __future__ import annotations

import numpy as np
import pytest

from xlt.errors import ConfigError
from xlt.models.linear import LinearClassifier, LinearConfig
from xlt.types import TextExample

TRAIN = [
    TextExample("the team scored a late goal", "sport"),
    TextExample("a great match for the home team", "sport"),
    TextExample("the striker missed the goal", "sport"),
    TextExample("cook the rice in the soup", "food"),
    TextExample("fresh bread and warm soup", "food"),
    TextExample("she cooks rice every day", "food"),
    TextExample("parliament passed the law", "politics"),
    TextExample("the minister and the parliament", "politics"),
]


def test_fit_predict_proba_and_roundtrip(tmp_path) -> None:
    m = LinearClassifier(LinearConfig()).fit(TRAIN)
    assert m.predict(["the goal of the match", "rice soup", "a new law in parliament"]) == [
        "sport",
        "food",
        "politics",
    ]
    p = m.predict_proba(["goal"])
    assert p.shape == (1, 3) and np.isclose(p.sum(), 1.0)
    m.save(tmp_path / "m")
    assert sorted(f.name for f in (tmp_path / "m").iterdir()) == ["config.json", "vocab.json", "weights.npz"]
    again = LinearClassifier.load(tmp_path / "m")
    texts = [ex.text for ex in TRAIN]
    assert again.predict(texts) == m.predict(texts)
    assert np.allclose(again.predict_proba(texts), m.predict_proba(texts))


def test_binary_and_text_pairs() -> None:
    data = [TextExample("a b", "yes", text_pair="a b"), TextExample("a b", "no", text_pair="c d")] * 4
    m = LinearClassifier(LinearConfig(analyzer="word", ngram_max=1)).fit(data)
    assert m.predict_proba(data[:2]).shape == (2, 2)
    assert m.predict([]) == []


def test_bad_inputs() -> None:
    with pytest.raises(ConfigError, match="single label"):
        LinearClassifier().fit([TextExample("x", "a"), TextExample("y", "a")])
    with pytest.raises(ConfigError, match="ngram_max"):
        LinearClassifier(LinearConfig(ngram_min=4, ngram_max=2))
