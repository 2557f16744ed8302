"""Few-shot NER curves: k in {0, 10, 100} target sentences, encoder vs CRF, seeded samples.

The encoder is fine-tuned once on the sources (MasakhaNER 2.0 train, source-dev selection, as
``zero_shot_ner.py``) and then continued on each target's k sentences separately
(``few_shot.mode: continue``, Lauscher et al. 2020; 10 passes over the shots, at least 10
steps, the last step kept: no target dev data is used anywhere). The CRF is trained jointly on
the sources plus the same k sentences. Each k > 0 is repeated over several sample seeds; the
table gives the mean and standard deviation over them. Scores are span F1 on the first
``--eval-limit`` test sentences of each target.

    python benchmarks/few_shot_ner.py --model models/me5-small --out few_shot_ner.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

# three targets from different branches, fixed before any run: Yoruba (Volta-Niger),
# Dholuo (Nilotic), isiXhosa (Bantu, Nguni)
DEFAULT_TARGETS = "yor,luo,xho"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="encoder to fine-tune (path or hub id)")
    ap.add_argument("--source-model", default=None, help="an xlt model already fine-tuned on the sources")
    ap.add_argument("--sources", default="swa,hau")
    ap.add_argument("--targets", default=DEFAULT_TARGETS)
    ap.add_argument("--ks", default="0,10,100")
    ap.add_argument("--sample-seeds", default="0,1,2")
    ap.add_argument("--steps", type=int, default=1200, help="source fine-tuning steps (batch 16)")
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--dev-limit", type=int, default=500)
    ap.add_argument("--eval-limit", type=int, default=500)
    ap.add_argument("--epochs", type=float, default=10.0, help="passes over the k shots")
    ap.add_argument("--min-steps", type=int, default=10)
    ap.add_argument("--no-crf", action="store_true")
    ap.add_argument("--save-dir", default="runs/few-shot-ner")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def data(lang: str, split: str) -> str:
    return f"shared:masakhaner2/{lang}/{split}.txt"


def source_model(args, sources: list[str]) -> tuple[str, float]:
    """Fine-tune on the sources (zero-shot settings) and save; returns the model dir and seconds."""
    from xlt.finetuning.config import FinetuneConfig
    from xlt.finetuning.run import DataSpec, FinetuneRunConfig, run_transfer

    if args.source_model:
        return args.source_model, 0.0
    cfg = FinetuneRunConfig(
        training=FinetuneConfig(
            model=args.model, task="ner", max_steps=args.steps, eval_every=args.eval_every
        ),
        sources=[
            DataSpec(lang=s, train=data(s, "train"), dev=data(s, "dev"), dev_limit=args.dev_limit)
            for s in sources
        ],
        report_variants=False,
        output_dir=str(Path(args.save_dir) / "sources"),
    )
    t0 = time.perf_counter()
    run_transfer(cfg)
    return str(Path(args.save_dir) / "sources" / "model"), time.perf_counter() - t0


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from xlt.evaluation.metrics import span_prf
    from xlt.finetuning.data import few_shot_sample
    from xlt.finetuning.few_shot import continue_on_shots
    from xlt.finetuning.run import read_labelled
    from xlt.finetuning.selection import load_trainable_state, trainable_state
    from xlt.models.transformers import TransformersTaskModel
    from xlt.paths import data_root, shared_data_available

    if not shared_data_available(data_root()):
        print(f"skipped: shared data not found at {data_root()}", file=sys.stderr)
        return 0
    torch.set_num_threads(args.threads)
    sources = args.sources.split(",")
    targets = args.targets.split(",")
    ks = [int(k) for k in args.ks.split(",")]
    seeds = [int(s) for s in args.sample_seeds.split(",")]
    t0 = time.perf_counter()
    model_dir, source_seconds = source_model(args, sources)
    model = TransformersTaskModel.load(model_dir)
    base = trainable_state(model.model_)
    train_src = [x for s in sources for x in read_labelled(data(s, "train"), "ner")]
    rows: list[dict] = []

    def score(pred, test) -> float:
        return round(span_prf([list(x.labels) for x in test], pred)["f1"], 4)

    for t in targets:
        test = read_labelled(data(t, "test"), "ner", limit=args.eval_limit)
        pool = read_labelled(data(t, "train"), "ner")
        for k in ks:
            for seed in seeds if k else [None]:
                shots = few_shot_sample(pool, k, seed) if k else []
                row: dict = {"target": t, "k": k, "seed": seed}
                if k:
                    row["continuation"] = continue_on_shots(
                        model, shots, epochs=args.epochs, min_steps=args.min_steps, seed=seed
                    )
                row["encoder"] = score(model.predict(test), test)
                load_trainable_state(model.model_, base)
                if not args.no_crf:
                    import xlt.models  # noqa: F401  (registers crf)
                    from xlt.models.base import task_models

                    c0 = time.perf_counter()
                    crf = task_models.build("crf", {}).fit(train_src + shots)
                    row["crf"] = score(crf.predict(test), test)
                    row["crf_seconds"] = round(time.perf_counter() - c0, 1)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr)
    curves: dict = {}
    for t in [*targets, "mean"]:
        for k in ks:
            for col in ("encoder", "crf"):
                per_seed = {}
                for r in rows:
                    if r["k"] == k and col in r and (t == "mean" or r["target"] == t):
                        per_seed.setdefault(r["seed"], []).append(r[col])
                vals = [statistics.fmean(v) for v in per_seed.values()]  # mean over targets per seed
                if vals:
                    curves.setdefault(t, {}).setdefault(col, {})[k] = {
                        "mean": round(statistics.fmean(vals), 4),
                        "sd": round(statistics.stdev(vals), 4) if len(vals) > 1 else None,
                    }
    report = {
        "model": args.model,
        "source_model": model_dir,
        "sources": sources,
        "targets": targets,
        "ks": ks,
        "sample_seeds": seeds,
        "eval_limit": args.eval_limit,
        "continuation": {"epochs": args.epochs, "min_steps": args.min_steps},
        "source_seconds": round(source_seconds, 1),
        "total_seconds": round(time.perf_counter() - t0, 1),
        "rows": rows,
        "curves": curves,
    }
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(report))
        return 0
    cols = [(c, k) for c in ("encoder", "crf") for k in ks]
    print(f"{'target':8}" + "".join(f"{c + ' k=' + str(k):>18}" for c, k in cols))
    for t, block in curves.items():
        cells = []
        for c, k in cols:
            v = block.get(c, {}).get(k)
            cells.append(f"{'':>18}" if v is None else f"{v['mean']:>11.3f} ±{(v['sd'] or 0):.3f}")
        print(f"{t:8}" + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
