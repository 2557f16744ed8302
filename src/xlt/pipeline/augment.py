"""Recipe key ``augment``: augmenters applied to the source training data of ``zero-shot``
(code-switching, CoSDA-ML; transliteration), as one cached step."""

from __future__ import annotations

from typing import Any

from xlt.pipeline import data as D
from xlt.pipeline.context import RunContext

KEY = "augmented.train"


def _build(p: RunContext) -> list[Any]:
    from xlt.augmentation import build_augmenters

    return build_augmenters(p.recipe.augment, seed=p.recipe.seed)


def prepare(p: RunContext) -> None:
    """Validate every augmenter's options before any long step."""
    _build(p)


def apply(p: RunContext, keys: list[str]) -> list[str]:
    """Augment the data of ``keys`` (one cached step); the key of the augmented data."""

    r = p.recipe
    max_n = min((s.spec.max_train for s in p.sources if s.spec.max_train), default=None)

    def compute(d: Any) -> dict[str, Any]:
        from xlt.augmentation import apply_augmenters

        data, stats = apply_augmenters(_build(p), [x for k in keys for x in p.read(k, max_n)])
        if r.task == "classification":
            D.write_examples(d / "train.jsonl", data)
        else:
            D.write_sentences(d / "train.jsonl", data)
        p.say(f"augmented the source training data: {len(data)} examples")
        return {"examples": len(data), "augmenters": stats}

    depends = {"augment": r.augment, "data": [p.sig(p.paths[k]) for k in keys], "max": max_n, "seed": r.seed}
    d, summary = p.runner.run("augment-source", depends, compute)
    p.summaries["augment-source"] = summary
    path = d / "train.jsonl"
    p.paths[KEY] = path
    p.data[KEY] = D.read_examples(path) if r.task == "classification" else D.read_sentences(path)
    return [KEY]
