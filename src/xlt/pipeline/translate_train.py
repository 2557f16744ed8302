"""``translate-train`` from source data: translate ``source.train`` and project its labels.

Classification keeps each example's label (Conneau et al. 2018, XNLI's translate-train).
Token tasks project labels with one of three methods (``translate.projection``):

* ``alignment`` — translate plain sentences, word-align source and translation with the
  recipe's aligner and project with its projector (Yarowsky et al. 2001; the ``align`` and
  ``projection`` sections of the recipe apply);
* ``markers`` — EasyProject (Chen et al. 2023), :mod:`xlt.translation.markers`;
* ``constrained`` — Codec (Le et al. 2024), :mod:`xlt.translation.constrained`.

The translated data is a cached step (``translate-<source>``) and the target model trains on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlt.errors import ConfigError
from xlt.pipeline import data as D
from xlt.pipeline.context import RunContext, build_method, jsonable_stats, spec_name
from xlt.pipeline.direct_methods import run_supervised
from xlt.pipeline.steps import file_signature
from xlt.types import LabeledSentence, Sentence, SentencePair, TextExample


def _translator_identity(spec: Any) -> Any:
    """The translator spec plus the identity of files it reads (a file backend's path)."""
    if isinstance(spec, dict) and isinstance(spec.get("path"), str) and Path(spec["path"]).is_file():
        return {**spec, "path": file_signature(spec["path"])}
    return spec


def prepare(p: RunContext) -> None:
    """Validate the translator and projector options before any long step."""
    spec = p.recipe.translate
    if spec is None:  # pre-translated target.train: nothing to check
        return
    from xlt.translation import build_translator, translation_projectors

    build_translator(spec.translator, key="translate.translator")
    if spec.projection != "alignment":
        try:
            translation_projectors.build(spec.projection, dict(spec.options))
        except ConfigError as err:
            raise ConfigError(f"translate.options: {err.message}", hint=err.hint) from None
    elif spec.options:
        raise ConfigError(
            "translate.options: projection 'alignment' takes its options from align / projection"
        )


def _translate_classification(
    train: list[TextExample], translator: Any, src: Any, tgt: Any
) -> tuple[list[TextExample], dict[str, Any]]:
    texts = translator.translate([ex.text for ex in train], src, tgt)
    pairs_idx = [k for k, ex in enumerate(train) if ex.text_pair]
    pair_texts = (
        translator.translate([train[k].text_pair or "" for k in pairs_idx], src, tgt) if pairs_idx else []
    )
    second = dict(zip(pairs_idx, pair_texts, strict=True))
    out = []
    empty = 0
    for k, (ex, text) in enumerate(zip(train, texts, strict=True)):
        if not text.strip() or (k in second and not second[k].strip()):
            empty += 1
            continue
        out.append(TextExample(text, ex.label, second.get(k), ex.id))
    stats = {"sentences": len(train), "kept": len(out), "dropped": empty}
    stats["dropped_by_reason"] = {"empty_translation": empty} if empty else {}
    return out, stats


def _translate_align(
    p: RunContext, train: list[LabeledSentence], translator: Any, src: Any, tgt: Any
) -> tuple[list[LabeledSentence], dict[str, Any]]:
    from xlt.alignment import aligners
    from xlt.io.tokenize import tokenize
    from xlt.projection import projectors
    from xlt.projection.constraints import filter_by_coverage

    r = p.recipe
    texts = translator.translate([" ".join(s.tokens) for s in train], src, tgt)
    keep = [k for k, t in enumerate(texts) if tokenize(t)]
    pairs = [SentencePair(train[k].tokens, tuple(tokenize(texts[k])), train[k].id) for k in keep]
    aligner = build_method(aligners, r.align.method, r.align.options, "align")
    alignments = aligner.align(pairs) if pairs else []
    projector = build_method(projectors, p.projector_name(), r.projection.options, "projection")
    targets = [Sentence(pair.tgt, pair.id) for pair in pairs]
    projected = projector.project([train[k] for k in keep], targets, alignments) if pairs else []
    kept, reasons = filter_by_coverage(projected, r.projection.min_coverage, r.projection.min_length)
    dropped = {k.removeprefix("dropped_"): v for k, v in reasons.items() if k != "kept" and v}
    if len(train) - len(keep):
        dropped["empty_translation"] = len(train) - len(keep)
    stats: dict[str, Any] = {
        "sentences": len(train),
        "kept": len(kept),
        "dropped": len(train) - len(kept),
        "dropped_by_reason": dict(sorted(dropped.items())),
        "projector": getattr(projector, "stats_", None),
    }
    return list(kept), stats


def run(p: RunContext) -> tuple[Path, dict[str, Any]]:
    """Translate every source's training data (cached steps), train the target model on it;
    without ``translate``, ``target.train`` is the translated data (trained on as ``supervised``)."""
    if p.recipe.translate is None:
        return run_supervised(p)
    return _run_translated(p)


def _run_translated(p: RunContext) -> tuple[Path, dict[str, Any]]:
    from xlt.translation import build_translator
    from xlt.translation.api import project_labeled
    from xlt.translation.base import as_lang

    r = p.recipe
    spec = r.translate
    assert spec is not None
    tgt = as_lang(r.target.language)
    step_dirs: list[Path] = []
    per_source: dict[str, Any] = {}
    for source in p.sources:
        key = f"{source.key}.train"
        src = as_lang(source.spec.language)

        def compute(d: Path, source: Any = source, key: str = key, src: Any = src) -> dict[str, Any]:
            train = p.read(key, source.spec.max_train)
            translator = build_translator(spec.translator, key="translate.translator")
            p.say(
                f"translating {len(train)} {r.task} examples {source.spec.language} -> {r.target.language} "
                f"({spec.projection if r.task != 'classification' else 'labels kept'})"
            )
            if r.task == "classification":
                examples, stats = _translate_classification(train, translator, src, tgt)
                D.write_examples(d / "train.jsonl", examples)
            else:
                if spec.projection == "alignment":
                    sents, stats = _translate_align(p, train, translator, src, tgt)
                else:
                    sents, stats = project_labeled(train, translator, src, tgt, spec.projection, spec.options)
                D.write_sentences(d / "train.jsonl", sents)
            stats["translator"] = dict(getattr(translator, "stats_", {}) or {})
            if not stats["kept"]:
                raise ConfigError(
                    f"translate-train: no {source.key}.train example survived translation and projection "
                    f"(dropped: {stats.get('dropped_by_reason')})"
                )
            return jsonable_stats(stats)

        depends = {
            "translator": _translator_identity(spec.translator),
            "projection": spec.projection,
            "options": spec.options,
            "align": r.align.to_dict() if spec.projection == "alignment" else None,
            "projector": r.projection.to_dict() if spec.projection == "alignment" else None,
            "data": p.sig(p.paths[key]),
            "max": source.spec.max_train,
            "task": r.task,
            "languages": [source.spec.language, r.target.language],
            "seed": r.seed,
        }
        d, summary = p.runner.run(f"translate-{source.name}", depends, compute)
        p.summaries[f"translate-{source.name}"] = summary
        per_source[source.spec.language] = summary
        step_dirs.append(d)

    def train(d: Path) -> dict[str, Any]:
        data: list[Any] = []
        for sd in step_dirs:
            data.extend(
                D.read_examples(sd / "train.jsonl")
                if r.task == "classification"
                else D.read_sentences(sd / "train.jsonl")
            )
        p.say(f"training the target model ({spec_name(r.model)}) on {len(data)} translated examples")
        return p.fit("train-target", r.model, data, d)

    upstream = tuple(f"translate-{s.name}" for s in p.sources)
    d, summary = p.runner.run("train-target", {"model": r.model, "seed": r.seed}, train, upstream=upstream)
    p.summaries["train-target"] = summary
    return d / "model", {"translate": {"projection": spec.projection, "per_source": per_source}}
