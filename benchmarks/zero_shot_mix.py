"""The main job's zero-shot encoder on every held-out UD language: a wide dev set for its settings.

The main recipe (``recipes/pos-projection-eng-eus.yaml``) fine-tunes one encoder on English plus
the languages of ``zero_shot_sources``; it tags every target's Bible and is the target tagger's
starting point, so its quality carries into every target. This script trains that model exactly
as the recipe does (the same cached step, ``train-zero-shot``, so a later ``xlt run`` reuses it),
optionally with ``--set`` overrides, and scores it on the **dev** split (the test split where a
treebank has no dev split) of every shared UD treebank whose language is in neither the source nor
the mix: 30-odd languages of many families and scripts, far wider than the issue-12 dev targets.
Treebanks whose words the encoder's tokenizer cannot spell (more than ``--max-unknown`` of the
words hold the unknown token; Coptic) are reported but left out of the mean, as the recipe leaves
the encoder out there.

    OMP_NUM_THREADS=2 python benchmarks/zero_shot_mix.py --out zs.json
    OMP_NUM_THREADS=2 python benchmarks/zero_shot_mix.py --set zero_shot_model.max_steps=1200 --out zs-1200.json
    python benchmarks/zero_shot_mix.py --compare zs.json zs-1200.json   # paired table of two runs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "pos-projection-eng-eus.yaml"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recipe", default=str(RECIPE), help="recipe whose zero-shot model is trained")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="recipe override")
    ap.add_argument("--work", default="runs/bench-zero-shot-mix", help="run directory (cached steps)")
    ap.add_argument("--max-sentences", type=int, default=300, help="score at most this many per treebank")
    ap.add_argument("--max-unknown", type=float, default=0.2, help="unknown-word share that excludes")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"), help="print a paired table of two JSONs")
    ap.add_argument("--out", default=None)
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def _treebank_language(reference: str | None) -> str | None:
    """``ud:Spanish-GSD:dev`` -> ``Spanish``; a path under ``UD_Spanish-GSD`` -> ``Spanish``."""
    if not reference:
        return None
    text = str(reference)
    if text.startswith("ud:"):
        return text.split(":")[1].split("-")[0]
    for part in Path(text).parts:
        if part.startswith("UD_"):
            return part[3:].split("-")[0]
    return None


def held_out_treebanks(root: Path, trained: set[str]) -> list[tuple[str, Path]]:
    """(treebank, dev file, else test file) for every UD treebank of a language not in ``trained``."""
    out = []
    for d in sorted((root / "ud").glob("UD_*")):
        if d.name[3:].split("-")[0] in trained:
            continue
        for split in ("dev", "test"):
            hits = sorted(d.glob(f"*-ud-{split}.conllu*"))
            if hits:
                out.append((d.name[3:], hits[0]))
                break
    return out


def train_zero_shot(args: argparse.Namespace) -> tuple[Any, Path, dict[str, Any], set[str]]:
    """The recipe's ``train-zero-shot`` step (cached); the recipe, the model directory, the step's
    summary and the UD languages it was trained on."""
    from xlt.pipeline import load_recipe
    from xlt.pipeline.projection_method import _train_zero_shot
    from xlt.pipeline.run import Pipeline

    recipe, _ = load_recipe(args.recipe, args.set)
    recipe = recipe.model_copy(update={"output_dir": str(Path(args.work).resolve())})
    p = Pipeline(recipe, Path.cwd(), overwrite=True)
    p.prepare()
    t0 = time.perf_counter()
    model_dir = _train_zero_shot(p)
    summary = dict(p.summaries.get("train-zero-shot") or {})
    summary["wall_s"] = round(time.perf_counter() - t0, 1)
    trained = {_treebank_language(str(s.spec.train)) for s in p.sources}
    trained |= {_treebank_language(str(spec.train)) for _, spec in p.zero_shot_extra}
    trained |= {"English"}
    return recipe, model_dir, summary, {t for t in trained if t}


def score(args: argparse.Namespace) -> dict[str, Any]:
    from xlt.evaluation.scoring import task_scores
    from xlt.hub import load_tokenizer
    from xlt.models.base import load_task_model, resolve_model_spec
    from xlt.models.coverage import unknown_word_share
    from xlt.paths import data_root
    from xlt.pipeline import data as D

    recipe, model_dir, summary, trained = train_zero_shot(args)
    _, options = resolve_model_spec(recipe.zero_shot_model, "pos")
    tokenizer = load_tokenizer(options["model"])
    model = load_task_model(model_dir)
    rows: dict[str, Any] = {}
    for name, path in held_out_treebanks(data_root(), trained):
        sents = D.read_task_data(path, "pos")[: args.max_sentences]
        unknown = unknown_word_share(tokenizer, (s.tokens for s in sents))["unknown_word_share"]
        t0 = time.perf_counter()
        acc = task_scores("pos", D.gold_of(sents), model.predict(sents))["accuracy"]
        rows[name] = {
            "file": path.name,
            "sentences": len(sents),
            "accuracy": round(100 * acc, 2),
            "unknown_word_share": round(unknown, 4),
            "in_mean": unknown <= args.max_unknown,
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(f"{name:28s} {rows[name]['accuracy']:6.2f}  ({path.name})", file=sys.stderr, flush=True)
    scored = [r["accuracy"] for r in rows.values() if r["in_mean"]]
    return {
        "recipe": args.recipe,
        "overrides": args.set,
        "train": summary,
        "trained_languages": sorted(trained),
        "treebanks": rows,
        "mean": round(statistics.fmean(scored), 2) if scored else None,
        "n_in_mean": len(scored),
    }


def compare(a_path: str, b_path: str) -> str:
    """A paired Markdown table of two result files (treebanks scored in both)."""
    a = json.loads(Path(a_path).read_text(encoding="utf-8"))
    b = json.loads(Path(b_path).read_text(encoding="utf-8"))
    lines = [
        f"| treebank | {' '.join(a['overrides']) or 'recipe'} | {' '.join(b['overrides']) or 'recipe'} | Δ |"
    ]
    lines.append("|---|---:|---:|---:|")
    deltas = []
    for name, ra in a["treebanks"].items():
        rb = b["treebanks"].get(name)
        if rb is None or not (ra["in_mean"] and rb["in_mean"]):
            continue
        d = rb["accuracy"] - ra["accuracy"]
        deltas.append(d)
        lines.append(f"| {name} | {ra['accuracy']:.2f} | {rb['accuracy']:.2f} | {d:+.2f} |")
    if deltas:
        wins = sum(d > 0 for d in deltas)
        lines.append(
            f"| **mean of {len(deltas)}** | **{a['mean']:.2f}** | **{b['mean']:.2f}** | "
            f"**{statistics.fmean(deltas):+.2f}** ({wins} gain) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.compare:
        print(compare(*args.compare))
        return 0
    from xlt.paths import data_root, shared_data_available

    if not shared_data_available(data_root()):
        print(f"shared data not found at {data_root()}; set XLT_DATA", file=sys.stderr)
        return 0
    result = score(args)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"mean over {result['n_in_mean']} held-out treebanks: {result['mean']}")
        print(f"train: {result['train'].get('n_train')} sentences, {result['train']['wall_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
