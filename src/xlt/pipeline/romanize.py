"""Recipe keys ``source.transliterate`` / ``target.transliterate``: romanise a language's labelled
data (train, dev, test) before anything reads it (Muller et al. 2021, "When Being Unseen from
mBERT is just the Beginning", NAACL), so that a model trained on Latin-script data can read a
target written in a script its vocabulary lacks. One cached step per file; the romanised file
replaces the original for every later step, so their fingerprints follow it."""

from __future__ import annotations

from typing import Any

from xlt.pipeline import data as D
from xlt.pipeline.context import RunContext

SPLITS = ("train", "dev", "test")


def keys_to_romanize(p: RunContext) -> dict[str, str]:
    """Data key → scheme for every language whose spec sets ``transliterate``."""
    out: dict[str, str] = {}
    specs: list[tuple[str, Any]] = [(s.key, s.spec) for s in p.sources]
    specs.append(("target", p.recipe.target))
    for prefix, spec in specs:
        if spec.transliterate:
            for split in SPLITS:
                key = f"{prefix}.{split}"
                if p.paths.get(key) is not None:
                    out[key] = spec.transliterate
    return out


def apply(p: RunContext) -> None:
    """Romanise the data of every key that asks for it (after the inputs were checked)."""
    from xlt.augmentation import romanize

    classification = p.recipe.task == "classification"
    for key, scheme in keys_to_romanize(p).items():
        original = p.paths[key]

        def compute(d: Any, key: str = key, scheme: str = scheme, original: Any = original) -> dict[str, Any]:
            data = romanize(p.read(key), scheme)  # type: ignore[arg-type]
            if classification:
                D.write_examples(d / "data.jsonl", data)
            else:
                D.write_sentences(d / "data.jsonl", data)
            changed = sum(
                (x.text != y.text) if classification else (x.tokens != y.tokens)
                for x, y in zip(p.read(key), data, strict=True)
            )
            p.say(f"romanised {key} ({scheme}): {changed} of {len(data)} examples changed")
            return {"scheme": scheme, "examples": len(data), "changed": changed, "original": str(original)}

        d, summary = p.runner.run(f"romanize-{key}", {"data": p.sig(original), "scheme": scheme}, compute)
        p.summaries[f"romanize-{key}"] = summary
        path = d / "data.jsonl"
        p.paths[key] = path
        p.data[key] = D.read_examples(path) if classification else D.read_sentences(path)


def report(p: RunContext) -> dict[str, Any]:
    """``metrics.json`` ``transliterated``: what each romanisation step did, by data key."""
    return {k.removeprefix("romanize-"): v for k, v in p.summaries.items() if k.startswith("romanize-")}
