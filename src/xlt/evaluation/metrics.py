"""Core metrics: token accuracy, strict IOB2 span P/R/F1 (seqeval), accuracy and macro-F1.

Span F1 follows the CoNLL convention in seqeval's strict mode with the IOB2
scheme (Ramshaw & Marcus 1995; Tjong Kim Sang & De Meulder 2003).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlt.errors import MismatchError


def _check_lengths(gold: Sequence, pred: Sequence, what: str) -> None:
    if len(gold) != len(pred):
        raise MismatchError(f"{len(gold)} gold {what} but {len(pred)} predicted")


def token_accuracy(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str | None]]) -> dict[str, float]:
    """Accuracy over all tokens; ``None`` predictions count as wrong."""
    _check_lengths(gold, pred, "sentences")
    correct = total = 0
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise MismatchError(f"sentence {i}: {len(g)} gold tokens but {len(p)} predicted")
        total += len(g)
        correct += sum(1 for a, b in zip(g, p, strict=True) if a == b)
    return {"accuracy": correct / total if total else 0.0, "n_tokens": float(total)}


def _clean(tags: Sequence[str | None]) -> list[str]:
    return [t if t else "O" for t in tags]


_BIOES_TO_IOB2 = {"B": "B", "I": "I", "S": "B", "E": "I", "L": "I", "U": "B"}


def _to_iob2(tags: list[str], what: str, index: int) -> list[str]:
    """BIO/IOB2, BIOES (S-/E-) and BILOU (U-/L-) tags mapped to IOB2 for strict span scoring.

    A tag without a known prefix (``PER``, ``X-PER``) is an error naming the sentence and token,
    not a crash inside seqeval.
    """
    out: list[str] = []
    for k, tag in enumerate(tags):
        if tag == "O":
            out.append(tag)
            continue
        prefix, sep, typ = tag.partition("-")
        mapped = _BIOES_TO_IOB2.get(prefix)
        if not sep or mapped is None or not typ:
            raise MismatchError(
                f"{what} sentence {index + 1}, token {k + 1}: tag {tag!r} is not BIO/BIOES; "
                "expected O, B-X, I-X, E-X or S-X"
            )
        out.append(f"{mapped}-{typ}")
    return out


def span_prf(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str | None]]) -> dict[str, float]:
    """Strict IOB2 span precision/recall/F1 (micro) plus per-type F1 (``f1_PER``...)."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    _check_lengths(gold, pred, "sentences")
    g = [_to_iob2(_clean(s), "gold", i) for i, s in enumerate(gold)]
    p = [_to_iob2(_clean(s), "predicted", i) for i, s in enumerate(pred)]
    for i, (a, b) in enumerate(zip(g, p, strict=True)):
        if len(a) != len(b):
            raise MismatchError(f"sentence {i}: {len(a)} gold tokens but {len(b)} predicted")
    if not any(t != "O" for s in g for t in s) and not any(t != "O" for s in p for t in s):
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "n_gold_spans": 0.0}
    report = classification_report(g, p, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    micro = report["micro avg"]
    out = {
        "precision": float(micro["precision"]),
        "recall": float(micro["recall"]),
        "f1": float(micro["f1-score"]),
        "n_gold_spans": float(micro["support"]),
    }
    for label, scores in report.items():
        if label.endswith(" avg"):
            continue
        out[f"f1_{label}"] = float(scores["f1-score"])
    return out


def _label_prf(gold: Sequence[str], pred: Sequence[str]) -> tuple[list[str], Any]:
    """Labels (sorted union of gold and predicted) and sklearn's per-label precision, recall,
    F1 and support arrays (0 where undefined)."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(gold) | set(pred))
    if not labels:
        return [], ([], [], [], [])
    return labels, precision_recall_fscore_support(
        list(gold), list(pred), labels=labels, average=None, zero_division=0
    )


def classification_scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """Accuracy, macro-F1 (over the labels present in the gold data) and per-label F1 for
    single-label classification (per-label scores from ``sklearn.metrics``)."""
    _check_lengths(gold, pred, "labels")
    n = len(gold)
    labels, (_, _, f1, _) = _label_prf(gold, pred)
    out: dict[str, float] = {
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0
    }
    in_gold = set(gold)
    f1s = []
    for label, value in zip(labels, f1, strict=True):
        out[f"f1_{label}"] = float(value)
        if label in in_gold:
            f1s.append(float(value))
    out["macro_f1"] = sum(f1s) / len(f1s) if f1s else 0.0
    return out


def per_label_prf(gold: Sequence[str], pred: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per-label precision, recall, F1 and support (number of gold examples)."""
    _check_lengths(gold, pred, "labels")
    labels, (prec, rec, f1, support) = _label_prf(gold, pred)
    return {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": float(s)}
        for label, p, r, f, s in zip(labels, prec, rec, f1, support, strict=True)
    }


Span = tuple[str, int, int]


def iob2_spans(tags: Sequence[str | None]) -> set[Span]:
    """Entity spans ``(type, start, end_exclusive)`` under strict IOB2.

    As in seqeval's strict mode: a span opens with ``B-X`` and continues over
    ``I-X``; an ``I-`` tag that does not continue a span of the same type is
    invalid and starts no entity; ``None``/``O``/anything else closes a span.
    """
    spans: set[Span] = set()
    cur_type: str | None = None
    start = 0
    for i, tag in enumerate([*list(tags), "O"]):
        prefix, _, typ = (tag or "O").partition("-")
        if cur_type is not None and not (prefix == "I" and typ == cur_type):
            spans.add((cur_type, start, i))
            cur_type = None
        if prefix == "B" and typ:
            cur_type, start = typ, i
    return spans


def sentence_span_counts(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str | None]]
) -> list[tuple[int, int, int]]:
    """Per sentence ``(true_positives, n_predicted, n_gold)`` strict IOB2 span counts."""
    _check_lengths(gold, pred, "sentences")
    out = []
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise MismatchError(f"sentence {i}: {len(g)} gold tokens but {len(p)} predicted")
        gs, ps = iob2_spans(g), iob2_spans(p)
        out.append((len(gs & ps), len(ps), len(gs)))
    return out


def f1_from_counts(tp: float, n_pred: float, n_gold: float) -> float:
    """Micro F1 from counts (0 when there is nothing to score)."""
    denom = n_pred + n_gold
    return 2 * tp / denom if denom else 0.0
