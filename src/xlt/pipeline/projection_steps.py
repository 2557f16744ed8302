"""The cached steps of the ``projection`` recipe method, composed by
:mod:`xlt.pipeline.projection_method`.

Per source: ``train-source-<source>`` (or its saved ``tagger``), ``tag-<source>``,
``align-<source>``, ``project-<source>``; with a zero-shot voter ``tag-target-zero-shot``; then
``combine`` (vote, type constraints, coverage filter) and ``train-target``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlt.errors import ConfigError
from xlt.io.conll import write_conll
from xlt.io.pharaoh import read_pharaoh, write_pharaoh
from xlt.models.base import load_task_model, resolve_model_spec
from xlt.pipeline import data as D
from xlt.pipeline.context import ResolvedSource, RunContext, build_method, jsonable_stats, spec_name
from xlt.pipeline.resources import agreement_with
from xlt.projection.constraints import (
    apply_type_constraints,
    coverage,
    drop_uncertain_sources,
    filter_by_coverage,
    unlabel_low_confidence,
)
from xlt.projection.multisource import vote_by_id
from xlt.types import LabeledSentence, Sentence


def source_tagger(p: RunContext, src: ResolvedSource) -> Path:
    """The source's saved ``tagger``, else a source tagger trained as a shared step."""
    if src.tagger is not None:
        return src.tagger
    spec = p.recipe.source_model if p.recipe.source_model is not None else p.recipe.model
    return p.train_model(
        f"train-source-{src.name}",
        spec,
        [f"{src.key}.train"],
        src.spec.max_train,
        dev_keys=[f"{src.key}.dev"],
        shared=True,
    )


def target_sentences(p: RunContext) -> list[Sentence]:
    """The target side of every source's verse pairs, each verse once (first source first)."""
    seen: set[Any] = set()
    out: list[Sentence] = []
    for src in p.sources:
        for pair in src.pairs:
            if pair.id not in seen:
                seen.add(pair.id)
                out.append(Sentence(pair.tgt, pair.id))
    return out


def tag_with_confidence(model: Any, sents: Sequence[Sentence]) -> list[LabeledSentence]:
    """Tag ``sents``, with each token's label probability in ``meta["confidence"]`` where the backend
    gives one (CRF marginals, transformers softmax)."""
    if hasattr(model, "predict_confidence"):
        return [
            LabeledSentence(s.tokens, tuple(lab), id=s.id, meta={"confidence": tuple(c)})
            for s, (lab, c) in zip(sents, model.predict_confidence(sents), strict=True)
        ]
    return [
        LabeledSentence(s.tokens, tuple(lab), id=s.id)
        for s, lab in zip(sents, model.predict(sents), strict=True)
    ]


def tag_target(p: RunContext, model_dir: Path) -> list[LabeledSentence]:
    """The zero-shot model's labels (with confidences) on the target side of the parallel text;
    below ``projection.zero_shot_min_confidence`` it abstains (``None``)."""
    r = p.recipe
    sents = target_sentences(p)
    floor = r.projection.zero_shot_min_confidence

    def compute(d: Path) -> dict[str, Any]:
        p.say(f"tagging {len(sents)} target sentences with the zero-shot model")
        labeled = tag_with_confidence(load_task_model(model_dir), sents)
        out = [
            LabeledSentence(
                s.tokens,
                tuple(
                    lab if c >= floor else None
                    for lab, c in zip(s.labels, s.meta.get("confidence") or [1.0] * len(s), strict=True)
                ),
                id=s.id,
                meta=s.meta,
            )
            for s in labeled
        ]
        D.write_sentences(d / "target_tagged.jsonl", out)
        tokens = sum(len(s) for s in out)
        kept = sum(lab is not None for s in out for lab in s.labels)
        return {"sentences": len(out), "tokens": tokens, "abstained": tokens - kept}

    depends = {
        "targets": [len(sents), p.sig(p.paths["target.parallel"]), *p.target_split_sig()],
        "sources": [p.sig(s.parallel) for s in p.sources],
        "min_confidence": floor,
    }
    d, summary = p.runner.run("tag-target-zero-shot", depends, compute, upstream=("train-zero-shot",))
    p.summaries["tag-target-zero-shot"] = summary
    return D.read_sentences(d / "target_tagged.jsonl")


def project_source(p: RunContext, src: ResolvedSource, tagger_dir: Path) -> list[LabeledSentence]:
    """Tag the source side of the source's verse pairs, align them and project the labels."""
    r = p.recipe
    pairs = src.pairs
    pair_sig = [len(pairs), p.sig(src.parallel), p.sig(p.paths["target.parallel"]), *p.target_split_sig()]
    upstream = (f"train-source-{src.name}",) if src.tagger is None else ()
    tag_dep = {"pairs": pair_sig, "tagger": str(tagger_dir) if src.tagger else None}

    def tag(d: Path) -> dict[str, Any]:
        p.say(f"tagging {len(pairs)} source sentences ({src.spec.language})")
        labeled = tag_with_confidence(load_task_model(tagger_dir), [Sentence(x.src, x.id) for x in pairs])
        D.write_sentences(d / "source_tagged.jsonl", labeled)
        return {"sentences": len(labeled)}

    tag_dir, _ = p.runner.run(f"tag-{src.name}", tag_dep, tag, upstream=upstream)

    def align(d: Path) -> dict[str, Any]:
        from xlt.alignment import aligners

        p.say(
            f"aligning {len(pairs)} verse pairs ({r.align.method}, {src.spec.language}-{r.target.language})"
        )
        aligner = build_method(aligners, r.align.method, r.align.options, "align")
        alignments = aligner.align(pairs)
        write_pharaoh(alignments, d / "alignments.txt")
        return {"pairs": len(alignments), "links": sum(len(a.sure) for a in alignments)}

    align_dep = {"pairs": pair_sig, "align": r.align.to_dict(), "seed": r.seed}
    align_dir, _ = p.runner.run(f"align-{src.name}", align_dep, align)

    def project(d: Path) -> dict[str, Any]:
        from xlt.projection import projectors

        p.say(f"projecting {r.task} labels {src.spec.language} -> {r.target.language}")
        source = D.read_sentences(tag_dir / "source_tagged.jsonl")
        alignments = read_pharaoh(align_dir / "alignments.txt", pairs=pairs)
        targets = [Sentence(x.tgt, x.id) for x in pairs]
        projector = build_method(projectors, p.projector_name(), r.projection.options, "projection")
        projected = projector.project(source, targets, alignments)
        dropped = 0
        if r.task == "pos" and r.projection.min_source_confidence > 0:
            projected, dropped = drop_uncertain_sources(
                source, projected, alignments, r.projection.min_source_confidence
            )
        D.write_sentences(d / "projected.jsonl", projected)
        stats = jsonable_stats(getattr(projector, "stats_", None))
        labelled = sum(lab is not None for s in projected for lab in s.labels)
        total = sum(len(s) for s in projected)
        return {
            "unlabelled_uncertain_source": dropped,
            "projected_sentences": len(projected),
            "token_coverage": labelled / total if total else 0.0,
            "stats": stats,
        }

    proj_dep = {
        "task": r.task,
        "projector": p.projector_name(),
        "options": r.projection.options,
        "min_source_confidence": r.projection.min_source_confidence,
    }
    proj_dir, summary = p.runner.run(
        f"project-{src.name}", proj_dep, project, upstream=(f"tag-{src.name}", f"align-{src.name}")
    )
    p.summaries[f"project-{src.name}"] = summary
    return D.read_sentences(proj_dir / "projected.jsonl")


def combine(
    p: RunContext, per_source: list[list[LabeledSentence]], zero_shot: list[LabeledSentence] | None = None
) -> tuple[Path, dict[str, Any]]:
    """Step ``combine``: vote across the sources (and the zero-shot voter), apply the confidence
    floor and type constraints, keep the sentences the coverage filter passes."""
    r = p.recipe
    opts = r.projection
    weights = list(p.weights)
    voters = list(per_source)
    names = [s.spec.language for s in p.sources]
    if zero_shot is not None:
        voters.append(zero_shot)
        weights.append(opts.zero_shot_weight * sum(p.weights) / max(len(p.weights), 1))
        names.append("zero-shot")

    def compute(d: Path) -> dict[str, Any]:
        p.say("combining and filtering projected data")
        summary: dict[str, Any] = {}
        if len(voters) == 1:
            combined = list(voters[0])
        else:
            combined = vote_by_id(voters, weights)
            summary["vote_weights"] = dict(zip(names, weights, strict=True))
        if zero_shot is not None:
            summary["zero_shot_agreement"] = agreement_with(per_source, zero_shot)
        combined, n_low = unlabel_low_confidence(combined, opts.min_confidence)
        summary["unlabelled_low_confidence"] = n_low
        summary.update(
            write_training_data(
                d,
                combined,
                opts,
                r.task,
                what="projection",
                hint=f"lower projection.min_coverage (now {opts.min_coverage}) or check the alignments",
                human_file="train.projected.tsv",
                all_file="projected.jsonl",
            )
        )
        return summary

    # the settings of later steps (self-training, the zero-shot interpolation) do not change the
    # combined data
    later = ("self_training", "zero_shot_interpolation")
    settings = {k: v for k, v in opts.to_dict().items() if not k.startswith(later)}
    depends = {"projection": settings, "weights": weights, "voters": names}
    upstream = tuple(f"project-{s.name}" for s in p.sources)
    if zero_shot is not None:
        upstream += ("tag-target-zero-shot",)
    return p.runner.run("combine", depends, compute, upstream=upstream)


def encoder_coverage(p: RunContext) -> dict[str, Any] | None:
    """With ``zero_shot_model``: how much of the target text its tokenizer can spell."""
    r = p.recipe
    if r.zero_shot_model is None:
        return None
    from xlt.hub import load_tokenizer
    from xlt.models.coverage import unknown_word_share

    backend, options = resolve_model_spec(r.zero_shot_model, r.task)
    if backend != "transformers" or not options.get("model"):
        return None
    tokenizer = load_tokenizer(options["model"])
    return unknown_word_share(tokenizer, (s.tokens for s in target_sentences(p)))


def train_target(
    p: RunContext, combined_dir: Path, init: Path | None = None, fallback: str | None = None
) -> Path:
    """Train the target tagger on the combined data; ``init``: a transformers model to continue
    from (``target_init: zero-shot``) instead of the encoder named in ``model``; ``fallback``:
    a model spec used instead of ``model`` (the encoder cannot read the target)."""
    r = p.recipe
    if fallback is not None:
        init = None
    spec = target_spec(p, init, fallback)

    def compute(d: Path) -> dict[str, Any]:
        train = D.read_sentences(combined_dir / "train.jsonl")
        p.say(f"training the target tagger ({spec_name(spec)}) on {len(train)} projected sentences")
        return p.fit("train-target", spec, train, d)

    upstream: tuple[str, ...] = ("combine",) + (("train-zero-shot",) if init is not None else ())
    depends = {
        "model": r.model if fallback is None else fallback,
        "seed": r.seed,
        "init": "zero-shot" if init is not None else None,
    }
    d, summary = p.runner.run("train-target", depends, compute, upstream=upstream)
    p.summaries["train-target"] = summary
    return d / "model"


def interpolate_target(p: RunContext, model_dir: Path, init: Path) -> Path:
    """Step ``merge-zero-shot`` (``projection.zero_shot_interpolation`` > 0): the target tagger
    with that share of the zero-shot encoder's weights mixed back in (WiSE-FT,
    :mod:`xlt.finetuning.interpolation`); its model directory."""
    from xlt.finetuning.interpolation import interpolate_with_start

    weight = p.recipe.projection.zero_shot_interpolation

    def compute(d: Path) -> dict[str, Any]:
        p.say(f"mixing {weight:.0%} of the zero-shot encoder's weights into the target tagger")
        tuned = load_task_model(model_dir)
        counts = interpolate_with_start(tuned, load_task_model(init), weight)
        tuned.save(d / "model")
        return {"zero_shot_weight": weight, **counts}

    d, summary = p.runner.run(
        "merge-zero-shot", {"weight": weight}, compute, upstream=("train-target", "train-zero-shot")
    )
    p.summaries["merge-zero-shot"] = summary
    return d / "model"


def target_spec(p: RunContext, init: Path | None, fallback: str | None) -> Any:
    """The model spec the target tagger trains with: ``model``, ``fallback`` instead, or
    ``model``'s options continuing from the transformers model ``init``."""
    r = p.recipe
    if fallback is not None:
        return fallback
    if init is not None:
        _, options = resolve_model_spec(r.model, r.task)
        return {"method": "transformers", **options, "model": str(init)}
    return r.model


def write_training_data(
    d: Path,
    labeled: Sequence[LabeledSentence],
    opts: Any,
    task: str,
    *,
    what: str,
    hint: str,
    human_file: str,
    all_file: str | None = None,
) -> dict[str, Any]:
    """The last stage of every labelled-target-text step (the combined projections, each
    self-training round): type constraints (pos, ``projection.type_constraints``), the coverage
    and length filter, ``d/train.jsonl`` plus a tab-separated copy for humans, and the counts.
    ``all_file``: also write the sentences before the filter. An empty result is an error that
    names ``what`` and gives ``hint``."""
    summary: dict[str, Any] = {}
    if opts.type_constraints and task == "pos":
        labeled, summary["type_constraints"] = apply_type_constraints(labeled)
    if all_file:
        D.write_sentences(d / all_file, labeled)
    kept, reasons = filter_by_coverage(labeled, opts.min_coverage, opts.min_length)
    if not kept:
        raise ConfigError(f"{what}: no target sentence kept ({reasons}); {hint}")
    D.write_sentences(d / "train.jsonl", kept)
    write_conll(kept, d / human_file, none_label="_", delimiter="\t")
    toks = sum(len(s) for s in kept)
    lab = sum(x is not None for s in kept for x in s.labels)
    summary.update(
        {
            "sentences_in": len(labeled),
            **reasons,
            "train_tokens": toks,
            "train_labelled_tokens": lab,
            "train_token_coverage": lab / toks if toks else 0.0,
            "mean_sentence_coverage_in": sum(coverage(s) for s in labeled) / max(len(labeled), 1),
            "label_counts": dict(Counter(x for s in kept for x in s.labels if x is not None).most_common()),
        }
    )
    return summary
