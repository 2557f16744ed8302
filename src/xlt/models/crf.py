"""Linear-chain CRF tagger (CRFsuite) — the offline default for POS and NER.

Lafferty et al. 2001, *Conditional Random Fields*; trained with L-BFGS and
elastic-net regularisation through CRFsuite (Okazaki 2007).

**Partially labelled sentences.** Projection leaves target tokens unlabelled
(``None``). CRFsuite has no marginal-likelihood training over missing labels,
so xlt trains on the *maximal labelled segments* of each sentence: the
features of every token are still computed over the full sentence (so a
segment's first token sees its real left context), and each segment becomes
one training sequence. Transitions are learned only between adjacent labelled
tokens, never across a gap, so no fake label is invented for an unlabelled
token. This is the fragment-training approach used for projected data by
Ganchev & Das (2013) and Agić et al. (2016) approximated without a partially
observed CRF; ``partial_labels: complete`` keeps only fully labelled
sentences instead.

Models are saved as CRFsuite's own binary model file plus JSON (config and
optional clusters): no pickle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field
from typing_extensions import Self

from xlt.config import MethodConfig, atomic_write_bytes, atomic_write_text
from xlt.errors import ConfigError, DataFormatError, DataNotFoundError
from xlt.io.files import iter_lines
from xlt.logs import get_logger
from xlt.models.base import task_models
from xlt.models.features import FeatureConfig, labelled_segments, token_features
from xlt.tempfiles import temp_dir
from xlt.types import LabeledSentence, Sentence

log = get_logger("models.crf")

MODEL_FILE = "model.crfsuite"
CONFIG_FILE = "config.json"
CLUSTERS_FILE = "clusters.json"


class CrfConfig(MethodConfig):
    """Options of the CRF tagger."""

    method: Literal["crf"] = "crf"
    c1: float = Field(0.05, ge=0, description="L1 regularisation coefficient (sparsity).")
    c2: float = Field(0.05, ge=0, description="L2 regularisation coefficient.")
    max_iterations: int = Field(100, ge=1, description="Maximum L-BFGS iterations.")
    min_feature_freq: float = Field(
        1.0, ge=0, description="Drop features seen fewer times than this in training (CRFsuite minfreq)."
    )
    possible_transitions: bool = Field(
        True, description="Learn weights for label transitions never seen in training (negative ones)."
    )
    partial_labels: Literal["segments", "complete"] = Field(
        "segments",
        description="How to use sentences with unlabelled (None) tokens: train on their maximal labelled "
        "segments with full-sentence features ('segments'), or keep only fully labelled sentences.",
    )
    min_segment: int = Field(1, ge=1, description="Shortest labelled segment used for training.")
    features: FeatureConfig = Field(default_factory=FeatureConfig, description="Token feature set.")
    clusters: str | None = Field(
        None,
        description="Optional word-cluster file (word<TAB>cluster per line, or Brown 'paths' format "
        "cluster<TAB>word<TAB>count); cluster ids become features. Stored inside the saved model.",
    )
    seed: int = Field(0, description="Unused by L-BFGS (deterministic); kept for the common protocol.")


def read_clusters(path: str | Path) -> dict[str, str]:
    """Read ``word<TAB>cluster`` lines, or Brown's ``cluster<TAB>word<TAB>count`` paths file."""
    out: dict[str, str] = {}
    for lineno, line in iter_lines(path):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) == 2:
            word, cluster = parts
        elif len(parts) == 3:
            cluster, word, _ = parts
        else:
            raise DataFormatError(path, lineno, "expected 'word<TAB>cluster' or 'cluster<TAB>word<TAB>count'")
        out[word] = cluster
    return out


@task_models.register(
    "crf", config=CrfConfig, reference="Lafferty et al. 2001, Conditional Random Fields", tasks=("pos", "ner")
)
class CrfTagger:
    """Linear-chain CRF with language-independent features (CRFsuite), learns from partial labels."""

    def __init__(self, config: CrfConfig | None = None) -> None:
        self.config = config or CrfConfig()
        #: optional ``callback(iteration, max_iterations, loss)`` for progress displays
        self.on_iteration = None

    # -- training ---------------------------------------------------------------------------
    def _clusters(self) -> dict[str, str] | None:
        if getattr(self, "clusters_", None) is not None:
            return self.clusters_
        if self.config.clusters is None:
            return None
        if not Path(self.config.clusters).exists():
            raise DataNotFoundError(f"{self.config.clusters}: cluster file not found (crf.clusters)")
        return read_clusters(self.config.clusters)

    def training_sequences(
        self, train: Sequence[LabeledSentence]
    ) -> tuple[list[tuple[list[list[str]], list[str]]], dict[str, int]]:
        """The (features, labels) sequences CRFsuite trains on, and counts of what was used."""
        clusters = self._clusters()
        seqs: list[tuple[list[list[str]], list[str]]] = []
        stats = {"sentences": 0, "sentences_used": 0, "segments": 0, "tokens_labelled": 0, "tokens_total": 0}
        for sent in train:
            if not isinstance(sent, LabeledSentence):
                raise ConfigError(
                    f"the crf backend trains on labelled token sequences, got {type(sent).__name__}"
                )
            stats["sentences"] += 1
            stats["tokens_total"] += len(sent)
            labels = sent.labels
            if not len(sent):
                continue
            complete = all(lab is not None for lab in labels)
            if not complete and self.config.partial_labels == "complete":
                continue
            segs = [
                (a, b) for a, b in labelled_segments(labels) if b - a >= self.config.min_segment or complete
            ]
            if not segs:
                continue
            feats = token_features(sent.tokens, self.config.features, clusters)
            stats["sentences_used"] += 1
            for a, b in segs:
                seqs.append((feats[a:b], [str(lab) for lab in labels[a:b]]))
                stats["segments"] += 1
                stats["tokens_labelled"] += b - a
        return seqs, stats

    def fit(self, train: Sequence[LabeledSentence], dev: Sequence[LabeledSentence] | None = None) -> Self:
        import pycrfsuite

        self.clusters_ = self._clusters()
        seqs, stats = self.training_sequences(train)
        if not seqs:
            raise ConfigError(
                f"no labelled tokens to train the crf on ({stats['sentences']} sentences, "
                f"partial_labels={self.config.partial_labels!r}, min_segment={self.config.min_segment})"
            )
        callback = getattr(self, "on_iteration", None)
        total = self.config.max_iterations

        class _Trainer(pycrfsuite.Trainer):  # type: ignore[misc]
            def on_iteration(self, log: str, info: dict) -> None:
                if callback is not None:
                    callback(int(info.get("num", 0)), total, float(info.get("loss", 0.0)))

        trainer = _Trainer(verbose=False)
        for xseq, yseq in seqs:
            trainer.append(xseq, yseq)
        trainer.set_params(
            {
                "c1": self.config.c1,
                "c2": self.config.c2,
                "max_iterations": self.config.max_iterations,
                "feature.minfreq": self.config.min_feature_freq,
                "feature.possible_transitions": self.config.possible_transitions,
            }
        )
        with temp_dir("crf") as tmp:
            path = Path(tmp) / MODEL_FILE
            trainer.train(str(path))
            self.model_bytes_ = path.read_bytes()
        self.train_stats_ = stats
        self.labels_ = sorted({y for _, ys in seqs for y in ys})
        log.info(
            "crf trained on %d segments (%d labelled of %d tokens)",
            stats["segments"],
            stats["tokens_labelled"],
            stats["tokens_total"],
        )
        self._tagger = None
        return self

    # -- prediction -------------------------------------------------------------------------
    def _get_tagger(self):  # type: ignore[no-untyped-def]
        import pycrfsuite

        if not hasattr(self, "model_bytes_"):
            raise ConfigError("the crf model is not trained: call fit() or load() first")
        if getattr(self, "_tagger", None) is None:
            tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(self.model_bytes_)
            self._tagger = tagger
        return self._tagger

    @staticmethod
    def _tokens(item: LabeledSentence | Sentence | Sequence[str]) -> tuple[str, ...]:
        if isinstance(item, (LabeledSentence, Sentence)):
            return item.tokens
        return tuple(item)

    def _tag(
        self, data: Sequence[LabeledSentence | Sentence | Sequence[str]], *, marginals: bool
    ) -> Iterator[tuple[list[str], list[float]]]:
        """Viterbi labels per sentence, with each token's marginal probability when ``marginals``."""
        tagger = self._get_tagger()
        clusters = getattr(self, "clusters_", None)
        for item in data:
            tokens = self._tokens(item)
            if not tokens:
                yield [], []
                continue
            labels = list(tagger.tag(token_features(tokens, self.config.features, clusters)))
            yield labels, [float(tagger.marginal(y, i)) for i, y in enumerate(labels)] if marginals else []

    def predict(self, data: Sequence[LabeledSentence | Sentence | Sequence[str]]) -> list[list[str]]:
        """One label per token for each sentence (gold labels in the input are ignored)."""
        return [labels for labels, _ in self._tag(data, marginals=False)]

    def predict_confidence(
        self, data: Sequence[LabeledSentence | Sentence | Sequence[str]]
    ) -> list[tuple[list[str], list[float]]]:
        """Viterbi labels with each token's marginal probability of its label."""
        return list(self._tag(data, marginals=True))

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write ``model.crfsuite`` + ``config.json`` (+ ``clusters.json``) into directory ``path``."""
        if not hasattr(self, "model_bytes_"):
            raise ConfigError("cannot save an untrained crf model")
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(d / MODEL_FILE, self.model_bytes_)
        meta = {
            "backend": "crf",
            "config": self.config.to_dict(),
            "labels": self.labels_,
            "train_stats": getattr(self, "train_stats_", {}),
        }
        if self.clusters_ is not None:
            atomic_write_text(d / CLUSTERS_FILE, json.dumps(self.clusters_, ensure_ascii=False))
        atomic_write_text(d / CONFIG_FILE, json.dumps(meta, ensure_ascii=False, indent=2))

    @classmethod
    def load(cls, path: str | Path) -> Self:
        d = Path(path)
        if not (d / MODEL_FILE).is_file() or not (d / CONFIG_FILE).is_file():
            raise DataNotFoundError(f"{d}: not a saved crf model (expected {MODEL_FILE} and {CONFIG_FILE})")
        meta = json.loads((d / CONFIG_FILE).read_text(encoding="utf-8"))
        obj = cls(CrfConfig.from_dict(meta["config"], source=str(d / CONFIG_FILE)))
        obj.model_bytes_ = (d / MODEL_FILE).read_bytes()
        obj.labels_ = list(meta.get("labels", []))
        obj.train_stats_ = dict(meta.get("train_stats", {}))
        cpath = d / CLUSTERS_FILE
        obj.clusters_ = json.loads(cpath.read_text(encoding="utf-8")) if cpath.is_file() else None
        obj._tagger = None
        return obj
