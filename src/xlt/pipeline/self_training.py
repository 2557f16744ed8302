"""Self-training of the projection recipe's target tagger on the target text (recipe key
``projection.self_training_rounds``).

Each round tags every target sentence of the parallel text with the current target tagger, keeps
for each label the share ``projection.self_training_top_share`` of its tokens it is surest of
(and at least ``projection.self_training_min_confidence``; the others stay unlabelled and are
ignored in the loss), applies the same type constraints and coverage filter as the projected
data, and trains a new target tagger on them from the same starting point as the first one. The student learns from one consistent teacher instead of the
vote of noisy projections (Yarowsky & Ngai 2001 bootstrap a tagger from its own confident output
on projected data; Agić et al. 2016 and Eskander et al. 2020 retrain the projected tagger on its
predictions for the target Bible).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xlt.pipeline import data as D
from xlt.pipeline.context import RunContext
from xlt.pipeline.projection_steps import write_training_data
from xlt.projection.constraints import per_label_bars, unlabel_low_confidence
from xlt.types import LabeledSentence, Sentence


def keep_surest_per_label(
    tagged: Sequence[LabeledSentence], share: float, floor: float = 0.0
) -> tuple[list[LabeledSentence], int, dict[str, float]]:
    """Keep, for each predicted label, the ``share`` of its tokens the tagger is surest of (and at
    least ``floor``); the rest become None. Class-balanced: one global bar would drop the labels
    the tagger is least sure of (adjectives, adverbs, determiners) almost entirely, and a student
    that never sees them stops predicting them (Zou et al. 2018, class-balanced self-training).
    Returns the sentences, how many labels were removed, and each label's bar."""
    bars = per_label_bars(tagged, share, floor)
    kept, removed = unlabel_low_confidence(tagged, bars)
    return kept, removed, bars


def self_train(
    pipe: RunContext,
    model_dir: Path,
    sentences: Sequence[Sentence],
    spec: Any,
    tag: Callable[[Path, Sequence[Sentence]], list[LabeledSentence]],
    upstream: tuple[str, ...],
) -> tuple[Path, list[dict[str, Any]]]:
    """Run ``projection.self_training_rounds`` rounds from the target tagger in ``model_dir``;
    ``spec`` is the model spec the first target tagger was trained with (the same start), ``tag``
    labels sentences with per-token confidences, ``upstream`` are the steps the first target tagger
    depends on. Returns the last round's model and one summary per round."""
    r = pipe.recipe
    p = r.projection
    summaries: list[dict[str, Any]] = []
    previous = "train-target"
    for k in range(1, p.self_training_rounds + 1):
        teacher = model_dir
        tag_name, train_name = f"self-train-tag-{k}", f"self-train-{k}"

        def tag_step(d: Path, teacher: Path = teacher, k: int = k) -> dict[str, Any]:
            pipe.say(f"self-training round {k}: tagging {len(sentences)} target sentences")
            labeled, n_low, bars = keep_surest_per_label(
                tag(teacher, sentences), p.self_training_top_share, p.self_training_min_confidence
            )
            summary: dict[str, Any] = {"label_bars": bars, "unlabelled_low_confidence": n_low}
            summary.update(
                write_training_data(
                    d,
                    labeled,
                    p,
                    r.task,
                    what=f"self-training round {k}",
                    hint="lower projection.self_training_top_share (now "
                    f"{p.self_training_top_share}) or projection.self_training_min_confidence "
                    f"(now {p.self_training_min_confidence})",
                    human_file="train.self.tsv",
                )
            )
            return summary

        depends = {
            "min_confidence": p.self_training_min_confidence,
            "top_share": p.self_training_top_share,
            "sentences": len(sentences),
        }
        tag_dir, tag_summary = pipe.runner.run(tag_name, depends, tag_step, upstream=(previous,))
        pipe.summaries[tag_name] = tag_summary

        def train_step(
            d: Path, tag_dir: Path = tag_dir, k: int = k, name: str = train_name
        ) -> dict[str, Any]:
            train = D.read_sentences(tag_dir / "train.jsonl")
            pipe.say(f"self-training round {k}: training the target tagger on {len(train)} sentences")
            return pipe.fit(name, spec, train, d)

        train_dir, train_summary = pipe.runner.run(
            train_name, {"model": r.model, "seed": r.seed}, train_step, upstream=(tag_name, *upstream)
        )
        pipe.summaries[train_name] = train_summary
        model_dir = train_dir / "model"
        previous = train_name
        summaries.append({"round": k, **tag_summary})
    return model_dir, summaries
