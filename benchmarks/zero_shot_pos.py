"""Zero-shot POS tagging across UD treebanks: a fine-tuned encoder vs the CRF, same sources and targets.

Each source treebank (English-EWT, and a related-language source where the data has one) trains
xlt's ``transformers`` backend (its defaults: source-dev checkpoint selection, frozen word
embeddings) and the ``crf`` backend; both tag the UPOS test sets of low-resource treebanks with
no target data at all. Accuracy over UD tokens (multiword-token parts as UD gives them).

    python benchmarks/zero_shot_pos.py --model models/me5-small --out pos.json
    python benchmarks/zero_shot_pos.py --model models/me5-small --sources en --steps 100 --eval-limit 50
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

# source key -> (treebank, targets it is scored on)
LOW_RESOURCE = ["fo_oft", "hsb_ufal", "br_keb", "cy_ccg", "ga_idt", "mt_mudt", "olo_kkpp", "bxr_bdt",
                "kmr_mg", "tl_trg", "yo_ytb", "bm_crb", "pcm_nsc", "am_att", "jv_csui", "eu_bdt"]  # fmt: skip
SOURCES: dict[str, tuple[str, list[str]]] = {
    "en": ("en_ewt", LOW_RESOURCE),
    "is": ("is_modern", ["fo_oft"]),  # Icelandic -> Faroese: the closest relative with a train set
}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="encoder to fine-tune (path or hub id)")
    ap.add_argument("--sources", default="en,is", help=f"comma-separated keys of {sorted(SOURCES)}")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--train-limit", type=int, default=None)
    ap.add_argument("--dev-limit", type=int, default=500)
    ap.add_argument("--eval-limit", type=int, default=None, help="score at most this many test sentences")
    ap.add_argument("--no-crf", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def treebank_file(root: Path, code: str, split: str) -> str | None:
    """``ud/UD_*/<code>-ud-<split>*.conllu[.gz]`` under the data root, or None."""
    hits = sorted((root / "ud").glob(f"UD_*/{code}-ud-{split}*.conllu*"))
    return str(hits[0]) if hits else None


def run_source(args, root: Path, key: str) -> dict:
    from xlt.finetuning.config import FinetuneConfig
    from xlt.finetuning.run import DataSpec, FinetuneRunConfig, read_labelled, run_transfer

    treebank, targets = SOURCES[key]
    train = treebank_file(root, treebank, "train")
    dev = treebank_file(root, treebank, "dev")
    tests = {t: treebank_file(root, t, "test") for t in targets}
    cfg = FinetuneRunConfig(
        training=FinetuneConfig(
            model=args.model,
            task="pos",
            batch_size=args.batch_size,
            max_steps=args.steps,
            eval_every=args.eval_every,
        ),
        sources=[
            DataSpec(lang=treebank, train=train, dev=dev, limit=args.train_limit, dev_limit=args.dev_limit)
        ],
        targets=[DataSpec(lang=t, test=p, test_limit=args.eval_limit) for t, p in tests.items() if p],
    )
    t0 = time.perf_counter()
    ft = run_transfer(cfg)
    block: dict = {
        "source": treebank,
        "encoder_seconds": round(time.perf_counter() - t0, 1),
        "best_steps": ft["runs"][0]["best_steps"],
        "accuracy": {r["target"]: {"encoder": r["metrics"]["accuracy"], "n": r["n"]} for r in ft["results"]},
    }
    if not args.no_crf:
        import xlt.models  # noqa: F401  (registers crf)
        from xlt.evaluation.metrics import token_accuracy
        from xlt.models.base import task_models

        t0 = time.perf_counter()
        crf = task_models.build("crf", {})
        crf.fit(read_labelled(train, "pos", limit=args.train_limit))
        for t, p in tests.items():
            if p:
                test = read_labelled(p, "pos", limit=args.eval_limit)
                block["accuracy"][t]["crf"] = token_accuracy(
                    [list(x.labels) for x in test], crf.predict(test)
                )["accuracy"]
        block["crf_seconds"] = round(time.perf_counter() - t0, 1)
    cols = ("encoder", "crf")
    block["mean"] = {
        c: round(statistics.fmean(r[c] for r in block["accuracy"].values()), 4)
        for c in cols
        if all(c in r for r in block["accuracy"].values())
    }
    return block


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from xlt.paths import data_root, shared_data_available

    root = data_root()
    if not shared_data_available(root):
        print(f"skipped: shared data not found at {root}", file=sys.stderr)
        return 0
    torch.set_num_threads(args.threads)
    report: dict = {"model": args.model, "steps": args.steps, "eval_limit": args.eval_limit, "sources": []}
    for key in args.sources.split(","):
        if key not in SOURCES:
            raise SystemExit(f"unknown source {key!r}; known: {', '.join(sorted(SOURCES))}")
        block = run_source(args, root, key)
        report["sources"].append(block)
        print(f"{block['source']}: {block['mean']}", file=sys.stderr)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(report))
        return 0
    for block in report["sources"]:
        print(f"\nsource {block['source']} (UPOS accuracy, zero-shot):")
        print(f"{'target':10}{'n':>6}{'encoder':>10}{'crf':>10}")
        for t, r in block["accuracy"].items():
            print(f"{t:10}{r['n']:>6}{r['encoder']:>10.4f}{r.get('crf', float('nan')):>10.4f}")
        print(
            f"{'mean':16}"
            + "".join(f"{block['mean'].get(c, float('nan')):>10.4f}" for c in ("encoder", "crf"))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
