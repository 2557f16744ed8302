"""Translate-train against zero-shot for African NER with a real encoder (issue 14).

* ``zero-shot``: one model fine-tuned on English CoNLL-2003 (the MasakhaNER 2.0 transfer corpus),
  scored on every target.
* ``translate-train``: for each target, a model fine-tuned on the T-Projection silver data
  (García-Ferrero et al. 2023: CoNLL-2003 English machine-translated into the target, labels
  projected), the target's own language, nothing else.
* ``translate-train + English``: the silver data and the English data together (one model per
  target).

Same encoder, steps, batch and seed for every model; checkpoints chosen on English dev (the only
labelled dev data a zero-resource user has). Targets are scored on their MasakhaNER 2.0 test
sets, PER/ORG/LOC (DATE relabelled O: neither CoNLL-2003 nor the silver data has DATE).

    python benchmarks/translate_train_ner.py --model models/me5-small --out tt-ner.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

TARGETS = ["hau", "ibo", "nya", "sna", "swa", "xho", "yor"]
EN = "shared:masakhaner2/transfer_corpus/en/{}.txt"
SILVER = "shared:projection/tprojection_masakhaner_silver/{}.train.txt"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--variants", default="zero-shot,translate-train,translate-train+en")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--test-limit", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/xlt-translate-train-ner")
    ap.add_argument("--out", default=None)
    return ap.parse_args(argv)


def relabelled_tests(targets: list[str], limit: int, work: Path) -> dict[str, str]:
    from xlt.io.conll import write_conll
    from xlt.pipeline.finetune import read_labelled
    from xlt.types import LabeledSentence

    work.mkdir(parents=True, exist_ok=True)
    out = {}
    for x in targets:
        data = read_labelled(f"shared:masakhaner2/{x}/test.txt", "ner", limit=limit)
        path = work / f"{x}.test.txt"
        write_conll(
            [
                LabeledSentence(
                    s.tokens, tuple("O" if lab.endswith("DATE") else lab for lab in s.labels), s.id
                )
                for s in data
            ],
            path,
        )
        out[x] = str(path)
    return out


def run(args, sources, targets: dict[str, str]) -> tuple[dict[str, float], float]:
    from xlt.finetuning.config import FinetuneConfig
    from xlt.finetuning.experiment import DataSpec, FinetuneRunConfig
    from xlt.pipeline.finetune import run_transfer

    cfg = FinetuneRunConfig(
        training=FinetuneConfig(
            model=args.model, task="ner", max_steps=args.steps, eval_every=100, seed=args.seed
        ),
        sources=sources,
        targets=[DataSpec(lang=x, test=p) for x, p in targets.items()],
        seeds=[args.seed],
        report_variants=False,
    )
    t0 = time.perf_counter()
    report = run_transfer(cfg)
    return {r["target"]: r["metrics"]["f1"] for r in report["results"] if r["main"]}, time.perf_counter() - t0


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from xlt.finetuning.experiment import DataSpec

    torch.set_num_threads(args.threads)
    targets = args.targets.split(",")
    variants = args.variants.split(",")
    tests = relabelled_tests(targets, args.test_limit, Path(args.workdir))
    english = DataSpec(lang="eng", train=EN.format("train"), dev=EN.format("dev"), dev_limit=500)
    table: dict[str, dict[str, float]] = {x: {} for x in targets}
    seconds: dict[str, float] = {}
    if "zero-shot" in variants:
        scores, seconds["zero-shot"] = run(args, [english], tests)
        for x in targets:
            table[x]["zero-shot"] = scores[x]
        print(f"zero-shot: {scores} ({seconds['zero-shot']:.0f} s)", file=sys.stderr, flush=True)
        save(args, targets, variants, table, seconds)
    for x in targets:
        # checkpoints on English dev: the silver data has no dev split
        silver = DataSpec(lang=x, train=SILVER.format(x), dev=EN.format("dev"), dev_limit=500)
        for name, sources in (
            ("translate-train", [silver]),
            ("translate-train+en", [silver.model_copy(update={"dev": None}), english]),
        ):
            if name not in variants:
                continue
            scores, secs = run(args, sources, {x: tests[x]})
            table[x][name] = scores[x]
            seconds[f"{name}/{x}"] = secs
            print(f"{name} {x}: {scores[x]:.4f} ({secs:.0f} s)", file=sys.stderr, flush=True)
            save(args, targets, variants, table, seconds)  # a partial result survives a stop
    print(save(args, targets, variants, table, seconds))
    return 0


def save(args, targets, variants, table, seconds) -> str:
    """The result as JSON text, written to ``--out`` (atomically) when given."""
    means = {
        v: statistics.fmean(table[x][v] for x in targets)
        for v in variants
        if all(v in table[x] for x in targets)
    }
    out = {
        "model": args.model,
        "steps": args.steps,
        "seed": args.seed,
        "test_limit": args.test_limit,
        "f1": table,
        "mean_f1": means,
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
    }
    text = json.dumps(out, indent=2)
    if args.out:
        tmp = Path(args.out + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.out)
    return text


if __name__ == "__main__":
    raise SystemExit(main())
