"""Zero-shot NER transfer across MasakhaNER 2.0 languages with an encoder pretrained here.

1. Pretrain a small XLM-R-style encoder from scratch (MLM, tokenizer trained here) on
   unlabelled text of the MasakhaNER languages: MasakhaNER train sentences (tokens
   only, labels unused), SIB-200 sentences and the Swahili / Wolof Bible. No test or
   dev text is used for pretraining.
2. Fine-tune it on the source languages' MasakhaNER train (dev = source dev).
3. Evaluate zero-shot on every other MasakhaNER language's test set: span F1 for
   (a) the last checkpoint, (b) the uniform average of the run's checkpoints
   (Free Lunch), (c) the checkpoint chosen on source dev, and the oracle
   checkpoint chosen on each target's own dev set (labelled oracle).
4. Compare with the CRF backend trained on the same source data.

CPU-only, bounded: pretraining stops at ``--pretrain-seconds``.

    nice -n 10 python benchmarks/zero_shot_ner.py --out zs.json
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


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", default="hau,swa", help="comma-separated MasakhaNER source languages")
    ap.add_argument("--targets", default=None, help="comma-separated targets (default: all other languages)")
    ap.add_argument("--pretrain-seconds", type=float, default=480.0)
    ap.add_argument("--pretrain-steps", type=int, default=1500)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--texts-per-corpus", type=int, default=3000)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--checkpoints-per-epoch", type=int, default=3)
    ap.add_argument("--train-limit", type=int, default=3000, help="source training sentences per language")
    ap.add_argument(
        "--dev-limit", type=int, default=300, help="dev sentences per language used for selection"
    )
    ap.add_argument("--averaging", choices=("all", "last-k"), default="all", help="checkpoint averaging mode")
    ap.add_argument("--average-k", type=int, default=3, help="checkpoints averaged by last-k")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", default="/tmp/xlt-zero-shot-ner")
    ap.add_argument("--skip-crf", action="store_true")
    ap.add_argument("--out", default=None, help="write the JSON report here")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from xlt.catalog import available_languages
    from xlt.paths import data_root, shared_data_available

    root = data_root()
    if not shared_data_available(root):
        print(f"skipped: shared data not found at {root}", file=sys.stderr)
        return 0
    langs = available_languages("masakhaner2", root, cache=False)  # the MasakhaNER 2.0 languages here
    torch.set_num_threads(args.threads)
    sources = args.sources.split(",")
    targets = args.targets.split(",") if args.targets else [x for x in langs if x not in sources]
    work = Path(args.workdir)
    report: dict = {"sources": sources, "targets": targets, "device": "cpu", "threads": args.threads}

    # 1. pretrain
    from xlt.finetuning.pretrain import CorpusSpec, PretrainConfig, mlm_loss, pretrain

    corpora = [
        CorpusSpec(path=f"shared:masakhaner2/{x}/train.txt", limit=args.texts_per_corpus) for x in langs
    ]
    corpora += [
        CorpusSpec(path=f"shared:sib200/annotated/{code}/{split}.tsv", limit=args.texts_per_corpus)
        for code in SIB.values()
        for split in ("train",)
    ]
    corpora += [CorpusSpec(path=f"shared:{b}", limit=args.texts_per_corpus) for b in BIBLES]
    pcfg = PretrainConfig(
        corpora=corpora,
        vocab_size=args.vocab,
        hidden_size=args.hidden,
        num_layers=args.layers,
        num_heads=4,
        max_length=64,
        batch_size=64,
        learning_rate=7e-4,
        warmup_ratio=0.03,
        max_steps=args.pretrain_steps,
        max_seconds=args.pretrain_seconds,
        logging_steps=100,
        seed=args.seed,
        output_dir=str(work / "encoder"),
    )
    t0 = time.perf_counter()
    pres = pretrain(pcfg)
    from transformers import AutoModelForMaskedLM

    from xlt.finetuning.corpora import read_texts
    from xlt.hub import load_model, load_tokenizer

    heldout = [t for x in langs for t in read_texts(f"shared:masakhaner2/{x}/dev.txt", limit=20)]
    enc_model = load_model(AutoModelForMaskedLM, pres.output_dir)
    enc_tok = load_tokenizer(pres.output_dir)
    report["pretrain"] = {
        "texts": pres.n_texts,
        "steps": pres.steps,
        "seconds": round(pres.seconds, 1),
        "tokens_per_s": round(pres.tokens_per_s, 1),
        "stopped_by_time_limit": pres.extra.get("stopped_by_time_limit"),
        "first_loss": pres.losses[0][1] if pres.losses else None,
        "last_loss": pres.losses[-1][1] if pres.losses else None,
        "heldout_mlm_loss": round(mlm_loss(enc_model, enc_tok, heldout, max_length=64), 4),
        "config": {"hidden": args.hidden, "layers": args.layers, "vocab": len(enc_tok)},
    }
    del enc_model
    print(f"pretrained in {time.perf_counter() - t0:.0f} s: {report['pretrain']}", file=sys.stderr)

    # 2-3. fine-tune on the sources, evaluate every target
    from xlt.finetuning.config import FinetuneConfig
    from xlt.finetuning.run import DataSpec, FinetuneRunConfig, run_transfer

    def spec(lang: str) -> DataSpec:
        base = f"shared:masakhaner2/{lang}"
        return DataSpec(
            lang=lang,
            train=f"{base}/train.txt",
            dev=f"{base}/dev.txt",
            test=f"{base}/test.txt",
            limit=args.train_limit,
            dev_limit=args.dev_limit,
        )

    from xlt.finetuning.run import read_labelled

    source_train = {
        s: read_labelled(f"shared:masakhaner2/{s}/train.txt", "ner", limit=args.train_limit) for s in sources
    }
    n_train = sum(len(v) for v in source_train.values())
    per_epoch = max(1, n_train // 32)
    rcfg = FinetuneRunConfig(
        training=FinetuneConfig(
            model=str(pres.output_dir),
            task="ner",
            max_length=128,
            batch_size=32,
            eval_batch_size=128,
            learning_rate=3e-4,
            epochs=args.epochs,
            warmup_ratio=0.1,
            eval_every=max(1, per_epoch // args.checkpoints_per_epoch),
            averaging=args.averaging,
            average_k=args.average_k,
            selection="source-dev",
            seed=args.seed,
        ),
        sources=[spec(s) for s in sources],
        targets=[spec(t) for t in targets],
        oracle=True,
    )
    t1 = time.perf_counter()
    ft = run_transfer(rcfg)
    report["finetune"] = {"seconds": round(time.perf_counter() - t1, 1), "runs": ft["runs"]}
    table: dict[str, dict[str, float]] = {t: {} for t in targets}
    for row in ft["results"]:
        table[row["target"]][row["variant"]] = row["metrics"]["f1"]

    # 4. CRF baseline on the same pairs
    if not args.skip_crf:
        try:
            import xlt.models  # noqa: F401  (registers crf)
            from xlt.models.base import task_models

            t2 = time.perf_counter()
            crf = task_models.build("crf", {})
            crf.fit([x for s in sources for x in source_train[s]])
            from xlt.evaluation.metrics import span_prf

            for t in targets:
                test = read_labelled(f"shared:masakhaner2/{t}/test.txt", "ner")
                table[t]["crf"] = span_prf([list(x.labels) for x in test], crf.predict(test))["f1"]
            report["crf_seconds"] = round(time.perf_counter() - t2, 1)
        except Exception as err:  # report honestly instead of failing the whole benchmark
            report["crf_error"] = f"{type(err).__name__}: {err}"
    columns = ["last", "average", "source-dev", "target-dev", "crf"]
    report["f1"] = {t: {c: round(v, 4) for c, v in row.items()} for t, row in table.items()}
    report["mean_f1"] = {
        c: round(statistics.fmean(row[c] for row in table.values() if c in row), 4)
        for c in columns
        if any(c in row for row in table.values())
    }
    report["labels"] = {
        "last": "final checkpoint (no selection)",
        "average": "uniform average of all checkpoints (no selection)",
        "source-dev": "best checkpoint on source dev (honest)",
        "target-dev": "best checkpoint on each target's dev (ORACLE, not zero-shot)",
        "crf": "CRF backend trained on the same source data",
    }
    report["total_seconds"] = round(time.perf_counter() - t0, 1)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(report))
    else:
        print(f"{'target':8}" + "".join(f"{c:>12}" for c in columns))
        for t, row in report["f1"].items():
            print(f"{t:8}" + "".join(f"{row.get(c, float('nan')):>12.4f}" for c in columns))
        print(f"{'mean':8}" + "".join(f"{report['mean_f1'].get(c, float('nan')):>12.4f}" for c in columns))
        print("target-dev = oracle selection on target dev data (not zero-shot)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
