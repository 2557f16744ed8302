"""``translate-test``: translate the target test (and dev) data into the source language, run
the source-language model on the translation and map its predictions back (Conneau et al.
2018, XNLI; Artetxe et al. 2023, "Revisiting Machine Translation for Cross-lingual
Classification"). Classification keeps the predicted label; token tasks word-align the original
sentence with its translation (the recipe's ``align`` aligner) and project the predicted tags back
with the recipe's projector (spans for ner, tokens for pos); target tokens nothing reaches get
``O`` (ner) or the most frequent predicted tag (pos), and are counted.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from xlt.io.files import atomic_writer, iter_lines, loads_json
from xlt.pipeline.context import RunContext, build_method, max_train
from xlt.types import LabeledSentence, Sentence, SentencePair, TextExample


def _texts(task: str, data: list[Any]) -> list[str]:
    if task == "classification":
        return [ex.text for ex in data] + [ex.text_pair for ex in data if ex.text_pair]
    return [" ".join(s.tokens) for s in data]


def _translate_step(p: RunContext, key: str) -> Path:
    """Cached step ``translate-<key>``: the translations of ``key``'s texts (JSON lines)."""
    from xlt.pipeline.translate_train import _translator_identity
    from xlt.translation import build_translator
    from xlt.translation.base import as_lang

    r = p.recipe
    spec = r.translate
    assert spec is not None
    src, tgt = as_lang(r.target.language), as_lang(r.all_sources[0].language)

    def compute(d: Path) -> dict[str, Any]:
        texts = _texts(r.task, p.read(key))
        p.say(f"translating {key} ({len(texts)} texts) {r.target.language} -> {r.all_sources[0].language}")
        translator = build_translator(spec.translator, key="translate.translator")
        out = translator.translate(texts, src, tgt)
        with atomic_writer(d / "translations.jsonl") as fh:
            for text in out:
                fh.write(json.dumps(text, ensure_ascii=False) + "\n")
        return {"texts": len(out), "empty": sum(not t.strip() for t in out), "translator": translator.stats_}

    depends = {
        "translator": _translator_identity(spec.translator),
        "data": p.sig(p.paths[key]),
        "task": r.task,
        "languages": [r.target.language, r.all_sources[0].language],
    }
    d, summary = p.runner.run(f"translate-{key.replace('.', '-')}", depends, compute)
    p.summaries[f"translate-{key}"] = summary
    return d / "translations.jsonl"


def _read_translations(path: Path) -> list[str]:
    return [str(loads_json(line, path, n)) for n, line in iter_lines(path) if line]


class Predictor:
    """Predictions on a target set through its translation (see the module docstring)."""

    def __init__(self, p: RunContext, translations: dict[str, Path]) -> None:
        self.p = p
        self.translations = translations
        self.stats_: dict[str, Any] = {}

    def __call__(self, model_dir: Path, key: str, data: list[Any]) -> list[Any]:
        from xlt.models.base import load_task_model

        model = load_task_model(model_dir)
        texts = _read_translations(self.translations[key])
        if self.p.recipe.task == "classification":
            firsts, rest = texts[: len(data)], iter(texts[len(data) :])
            examples = [
                TextExample(t, None, next(rest) if ex.text_pair else None, ex.id)
                for ex, t in zip(data, firsts, strict=True)
            ]
            self.stats_[key] = {"examples": len(data)}
            return model.predict(examples)
        return self._tags(model, key, data, texts)

    def _tags(self, model: Any, key: str, data: list[Any], texts: list[str]) -> list[list[str]]:
        from xlt.alignment import aligners
        from xlt.io.tokenize import tokenize
        from xlt.projection import projectors

        r = self.p.recipe
        translated = [tuple(tokenize(t)) for t in texts]
        keep = [k for k, toks in enumerate(translated) if toks and len(data[k])]
        tags = model.predict([Sentence(translated[k]) for k in keep]) if keep else []
        pairs = [SentencePair(translated[k], tuple(data[k].tokens)) for k in keep]
        aligner = build_method(aligners, r.align.method, r.align.options, "align")
        alignments = aligner.align(pairs) if pairs else []
        projector = build_method(projectors, self.p.projector_name(), r.projection.options, "projection")
        projected = projector.project(
            [LabeledSentence(pair.src, tuple(t)) for pair, t in zip(pairs, tags, strict=True)],
            [Sentence(pair.tgt) for pair in pairs],
            alignments,
        )
        counts = Counter(lab for t in tags for lab in t)
        fill = "O" if r.task == "ner" or not counts else counts.most_common(1)[0][0]
        out: list[list[str]] = [[fill] * len(s) for s in data]
        unreached = sum(len(data[k]) for k in range(len(data)) if k not in set(keep))
        for k, sent in zip(keep, projected, strict=True):
            out[k] = [fill if lab is None else lab for lab in sent.labels]
            unreached += sum(lab is None for lab in sent.labels)
        self.stats_[key] = {
            "sentences": len(data),
            "empty_translations": len(data) - len(keep),
            "tokens": sum(len(s) for s in data),
            "tokens_filled": unreached,
            "fill_label": fill,
        }
        return out


def run(p: RunContext) -> tuple[Path, dict[str, Any]]:
    """Train the source model, translate the target sets, predict through the translations."""

    model_dir = p.train_model(
        "train-source",
        p.recipe.model,
        [f"{s.key}.train" for s in p.sources],
        max_train(p.sources),
        dev_keys=[f"{s.key}.dev" for s in p.sources],
    )
    keys = [k for k in ("target.test", "target.dev") if p.paths.get(k) is not None]
    predictor = Predictor(p, {k: _translate_step(p, k) for k in keys})
    p.test_predictor = predictor
    return model_dir, {
        "translate_test": {
            "translations": {k: p.summaries[f"translate-{k}"] for k in keys},
            "mapping": predictor.stats_,
        }
    }
