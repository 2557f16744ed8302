"""SIB-200 topic classification, trained on English only, scored zero-shot on every SIB-200 language.

Two backends on the same data: xlt's ``transformers`` backend fine-tuning an encoder (source-dev
selection on the English dev set) and the character n-gram ``linear`` backend. Each writes a
standard run directory (``metrics.json`` with a bootstrap 95% CI per language,
``predictions.jsonl``) under ``--save-dir``, so ``xlt report`` renders both side by side. The
summary groups languages by script and by whether XLM-R's pretraining covered them
(:func:`xlt.languages.coverage.covered`), with the mean accuracy and its standard error over the
languages of each group.

    python benchmarks/sib200_zero_shot.py --model models/me5-small --save-dir runs/sib200 --out sib.json
    xlt report runs/sib200/encoder runs/sib200/linear --out sib200.html
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

SOURCE = "eng_Latn"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="encoder to fine-tune (path or hub id)")
    ap.add_argument("--steps", type=int, default=300, help="optimisation steps (batch 16: ~7 epochs)")
    ap.add_argument("--eval-every", type=int, default=25)
    ap.add_argument("--languages", default=None, help="comma-separated SIB-200 codes (default: all)")
    ap.add_argument("--save-dir", default="runs/sib200-zero-shot")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def sib_file(lang: str, split: str) -> str:
    return f"shared:sib200/annotated/{lang}/{split}.tsv"


def run_encoder(args, langs: list[str], out: Path) -> dict[str, dict]:
    from xlt.finetuning.config import FinetuneConfig
    from xlt.finetuning.run import DataSpec, FinetuneRunConfig, run_transfer

    cfg = FinetuneRunConfig(
        training=FinetuneConfig(
            model=args.model, task="classification", max_steps=args.steps, eval_every=args.eval_every
        ),
        sources=[DataSpec(lang=SOURCE, train=sib_file(SOURCE, "train"), dev=sib_file(SOURCE, "dev"))],
        targets=[DataSpec(lang=x, test=sib_file(x, "test")) for x in langs],
        output_dir=str(out),
    )
    report = run_transfer(cfg)
    return report["final"]["targets"]


def run_linear(args, langs: list[str], out: Path) -> dict[str, dict]:
    import xlt.models  # noqa: F401  (registers linear)
    from xlt.evaluation.evaluate import evaluate
    from xlt.evaluation.store import write_run
    from xlt.finetuning.run import read_labelled
    from xlt.models.base import task_models

    model = task_models.build("linear", {})
    model.fit(read_labelled(sib_file(SOURCE, "train"), "classification"))
    gold, pred, tags, ids = [], [], [], []
    for lang in langs:
        test = read_labelled(sib_file(lang, "test"), "classification")
        gold += [x.label for x in test]
        pred += model.predict(test)
        tags += [lang] * len(test)
        ids += [f"{lang}:{i}" for i in range(len(test))]
    metrics, records = evaluate("classification", gold, pred, langs=tags, ids=ids)
    info = {"task": "classification", "method": "linear", "setting": "zero-shot", "model": "linear",
            "sources": [SOURCE], "target": "+".join(langs), "targets": langs, "selection": "last"}  # fmt: skip
    write_run(out, info, metrics, predictions=records)
    key = metrics["primary_metric"]
    return {
        lang: {"score": b[key], "ci": [b["ci"][key]["low"], b["ci"][key]["high"]], "n": b["ci"][key]["n"]}
        for lang, b in metrics["per_language"].items()
    }


def group_means(scores: dict[str, dict[str, dict]], key) -> dict[str, dict]:
    """Mean accuracy and its standard error over the languages of each group, per backend."""
    groups: dict[str, list[str]] = {}
    for lang in next(iter(scores.values())):
        groups.setdefault(key(lang), []).append(lang)
    out = {}
    for g, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        row: dict = {"languages": len(members)}
        for backend, per_lang in scores.items():
            vals = [per_lang[m]["score"] for m in members]
            se = statistics.stdev(vals) / math.sqrt(len(vals)) if len(vals) > 1 else None
            row[backend] = {
                "mean": round(statistics.fmean(vals), 4),
                "se": None if se is None else round(se, 4),
            }
        out[g] = row
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from xlt.languages.coverage import covered
    from xlt.paths import data_root, shared_data_available

    root = data_root()
    if not shared_data_available(root):
        print(f"skipped: shared data not found at {root}", file=sys.stderr)
        return 0
    torch.set_num_threads(args.threads)
    all_langs = sorted(p.name for p in (root / "sib200" / "annotated").iterdir() if p.is_dir())
    langs = args.languages.split(",") if args.languages else all_langs
    save = Path(args.save_dir)
    t0 = time.perf_counter()
    scores = {"encoder": run_encoder(args, langs, save / "encoder")}
    t_enc = time.perf_counter() - t0
    scores["linear"] = run_linear(args, langs, save / "linear")
    report = {
        "model": args.model,
        "steps": args.steps,
        "source": SOURCE,
        "languages": len(langs),
        "seconds": {"encoder": round(t_enc, 1), "linear": round(time.perf_counter() - t0 - t_enc, 1)},
        "all": group_means(scores, lambda _: "all"),
        "by_coverage": group_means(scores, lambda x: "in XLM-R" if covered(x) else "not in XLM-R"),
        "by_script": group_means(scores, lambda x: x.split("_")[-1]),
        "per_language": {
            x: {b: {"accuracy": s[x]["score"], "ci": s[x]["ci"]} for b, s in scores.items()} for x in langs
        },
        "runs": {b: str(save / b) for b in scores},
    }
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(report))
        return 0
    for title in ("all", "by_coverage", "by_script"):
        print(f"\n{title} (accuracy, mean ± s.e. over languages):")
        for g, row in report[title].items():
            cells = "".join(
                f"{row[b]['mean']:>9.3f} ± {row[b]['se'] if row[b]['se'] is not None else float('nan'):.3f}"
                for b in scores
            )
            print(f"{g:14}{row['languages']:>5}{cells}")
    print(f"\nrun directories: {report['runs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
