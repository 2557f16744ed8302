"""Character n-gram linear classifier for sentence classification.

TF-IDF weighted character n-grams (inside word boundaries) with a multinomial
logistic regression — the strong script-agnostic baseline of SIB-200
(Adelani et al. 2024) and of language-identification work (Cavnar & Trenkle
1994; Joulin et al. 2017). Text pairs (NLI) are joined with a separator.

Saved without pickle: ``vocab.json`` (n-gram -> column), ``weights.npz``
(idf, coefficients, intercepts) and ``config.json``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field
from typing_extensions import Self

from xlt.config import MethodConfig, atomic_write_bytes, atomic_write_text
from xlt.errors import ConfigError, DataNotFoundError
from xlt.models.base import task_models
from xlt.types import TextExample

PAIR_SEPARATOR = " ||| "


class LinearConfig(MethodConfig):
    """Options of the character n-gram linear classifier."""

    method: Literal["linear"] = "linear"
    analyzer: Literal["char_wb", "char", "word"] = Field(
        "char_wb", description="n-grams of characters inside word boundaries, of raw characters, or of words."
    )
    ngram_min: int = Field(1, ge=1, description="Smallest n-gram length.")
    ngram_max: int = Field(4, ge=1, description="Largest n-gram length.")
    max_features: int | None = Field(200_000, ge=1, description="Keep the most frequent n-grams only.")
    min_df: int = Field(1, ge=1, description="Ignore n-grams seen in fewer training texts.")
    sublinear_tf: bool = Field(True, description="Use 1 + log(tf) instead of raw counts.")
    lowercase: bool = Field(True, description="Lower-case text before extracting n-grams.")
    C: float = Field(10.0, gt=0, description="Inverse L2 regularisation strength of the logistic regression.")
    max_iter: int = Field(1000, ge=1, description="Maximum solver iterations.")
    class_weight: Literal["balanced"] | None = Field(None, description="'balanced' reweights rare classes.")
    seed: int = Field(0, description="Random seed of the solver.")


def _text(ex: TextExample | str) -> str:
    if isinstance(ex, str):
        return ex
    return ex.text if ex.text_pair is None else ex.text + PAIR_SEPARATOR + ex.text_pair


@task_models.register(
    "linear",
    config=LinearConfig,
    reference="Joulin et al. 2017, Bag of Tricks for Efficient Text Classification",
    tasks=("classification",),
)
class LinearClassifier:
    """TF-IDF character n-grams + logistic regression for sentence classification."""

    def __init__(self, config: LinearConfig | None = None) -> None:
        self.config = config or LinearConfig()
        if self.config.ngram_max < self.config.ngram_min:
            raise ConfigError("linear: ngram_max must be >= ngram_min")

    def _vectorizer(self, vocabulary: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
        from sklearn.feature_extraction.text import CountVectorizer

        c = self.config
        return CountVectorizer(
            analyzer=c.analyzer,
            ngram_range=(c.ngram_min, c.ngram_max),
            lowercase=c.lowercase,
            max_features=None if vocabulary is not None else c.max_features,
            min_df=1 if vocabulary is not None else c.min_df,
            vocabulary=vocabulary,
            token_pattern=r"(?u)\b\w+\b" if c.analyzer == "word" else None,
            dtype=np.float64,
        )

    def _transform(self, texts: list[str]):  # type: ignore[no-untyped-def]
        from sklearn.preprocessing import normalize

        x = self.vectorizer_.transform(texts)
        if self.config.sublinear_tf:
            x.data = 1.0 + np.log(x.data)
        x = x.multiply(self.idf_).tocsr()
        return normalize(x)

    def fit(self, train: Sequence[TextExample], dev: Sequence[TextExample] | None = None) -> Self:
        from sklearn.linear_model import LogisticRegression

        examples = [ex for ex in train if not isinstance(ex, TextExample) or ex.label is not None]
        if not examples:
            raise ConfigError("linear: no labelled training examples")
        for ex in examples:
            if not isinstance(ex, TextExample):
                raise ConfigError(f"the linear backend trains on TextExample items, got {type(ex).__name__}")
        texts = [_text(ex) for ex in examples]
        labels = [str(ex.label) for ex in examples]
        if len(set(labels)) < 2:
            raise ConfigError(f"linear: training data has a single label {labels[0]!r}; need at least two")
        vec = self._vectorizer()
        counts = vec.fit_transform(texts)
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.vectorizer_ = vec
        self.vocabulary_ = {str(k): int(v) for k, v in vec.vocabulary_.items()}
        self.idf_ = np.log((1.0 + n) / (1.0 + df)) + 1.0
        x = self._transform(texts)
        clf = LogisticRegression(
            C=self.config.C,
            max_iter=self.config.max_iter,
            class_weight=self.config.class_weight,
            random_state=self.config.seed,
        )
        clf.fit(x, labels)
        self.classes_ = [str(c) for c in clf.classes_]
        self.coef_ = np.asarray(clf.coef_, dtype=np.float64)
        self.intercept_ = np.asarray(clf.intercept_, dtype=np.float64)
        return self

    def decision_function(self, data: Sequence[TextExample | str]) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ConfigError("the linear model is not trained: call fit() or load() first")
        x = self._transform([_text(ex) for ex in data])
        scores = np.asarray(x @ self.coef_.T) + self.intercept_
        if len(self.classes_) == 2 and scores.shape[1] == 1:
            scores = np.hstack([-scores, scores])
        return scores

    def predict_proba(self, data: Sequence[TextExample | str]) -> np.ndarray:
        """Class probabilities (columns in ``classes_`` order)."""
        s = self.decision_function(data)
        if len(self.classes_) == 2:
            s = s - s[:, :1]
            p1 = 1.0 / (1.0 + np.exp(-s[:, 1]))
            return np.stack([1.0 - p1, p1], axis=1)
        s = s - s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, data: Sequence[TextExample | str]) -> list[str]:
        if not len(data):
            return []
        scores = self.decision_function(data)
        return [self.classes_[i] for i in scores.argmax(axis=1)]

    def save(self, path: str | Path) -> None:
        """Write ``vocab.json``, ``weights.npz`` and ``config.json`` into directory ``path``."""
        if not hasattr(self, "coef_"):
            raise ConfigError("cannot save an untrained linear model")
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        atomic_write_text(d / "vocab.json", json.dumps(self.vocabulary_, ensure_ascii=False))
        buf = io.BytesIO()
        np.savez_compressed(buf, idf=self.idf_, coef=self.coef_, intercept=self.intercept_)
        atomic_write_bytes(d / "weights.npz", buf.getvalue())
        meta = {"backend": "linear", "config": self.config.to_dict(), "classes": self.classes_}
        atomic_write_text(d / "config.json", json.dumps(meta, ensure_ascii=False, indent=2))

    @classmethod
    def load(cls, path: str | Path) -> Self:
        d = Path(path)
        for name in ("vocab.json", "weights.npz", "config.json"):
            if not (d / name).is_file():
                raise DataNotFoundError(f"{d}: not a saved linear model (missing {name})")
        meta = json.loads((d / "config.json").read_text(encoding="utf-8"))
        obj = cls(LinearConfig.from_dict(meta["config"], source=str(d / "config.json")))
        obj.vocabulary_ = json.loads((d / "vocab.json").read_text(encoding="utf-8"))
        obj.vectorizer_ = obj._vectorizer(obj.vocabulary_)
        with np.load(d / "weights.npz", allow_pickle=False) as w:
            obj.idf_ = w["idf"]
            obj.coef_ = w["coef"]
            obj.intercept_ = w["intercept"]
        obj.classes_ = list(meta["classes"])
        return obj
