"""Training throughput of xlt's fine-tuning path vs a plain HF Trainer token-classification script.

Both train the same model on the same NER sentences for the same number of
examples, in the same invocation, each in its own subprocess (so peak memory is
measured per path):

- baseline: the usual script: ``padding="max_length"`` (128), ``default_data_collator``,
  ``TrainingArguments`` defaults (random sampler, no length grouping);
- xlt: :func:`xlt.finetuning.trainer.fit` (dynamic padding, length-grouped batches,
  no evaluation with ``selection: last``).

- xlt-full: the same with ``freeze_word_embeddings: false`` (xlt's default freezes them), so the
  two effects (padding/batching vs a frozen 250k-row embedding matrix) can be told apart.

Tokens/s counts real (non-padding) training tokens per second of ``trainer.train()``; inference
tokens/s counts real tokens per second of predicting the training sentences again (xlt:
``TransformersTaskModel.predict``; baseline: ``Trainer.predict`` on the padded features).

    python benchmarks/finetune_speed.py --quick --format json
    python benchmarks/finetune_speed.py --model models/me5-small --sentences 480 --threads 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PATHS = ("baseline", "xlt", "xlt-full")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small run (< 3 min on 2 cores)")
    ap.add_argument(
        "--sentences", type=int, default=None, help="training sentences (default 2000, quick 320)"
    )
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=None, help="hidden size (default 256, quick 64)")
    ap.add_argument("--layers", type=int, default=None, help="layers (default 4, quick 2)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model", default=None, help="a real encoder (path or hub id) instead of a tiny one")
    ap.add_argument("--repeats", type=int, default=None, help="runs per path (default 2, quick 1)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--format", choices=("text", "json"), default="text")
    ap.add_argument("--worker", choices=PATHS, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", default=None, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def load_sentences(n: int):
    """MasakhaNER Hausa train sentences (shared data), else synthetic sentences."""
    from xlt.paths import data_root, shared_data_available

    root = data_root()
    if shared_data_available(root) and (root / "masakhaner2" / "hau" / "train.txt.gz").exists():
        from xlt.io.conll import read_conll

        return read_conll(root / "masakhaner2" / "hau" / "train.txt.gz")[:n], "masakhaner2/hau train"
    import random

    from xlt.testing.tiny import DEFAULT_TEXTS
    from xlt.types import LabeledSentence

    rng = random.Random(0)
    words = " ".join(DEFAULT_TEXTS).split()
    out = []
    for _ in range(n):
        toks = tuple(rng.choice(words) for _ in range(int(rng.lognormvariate(3.0, 0.5)) + 2))
        out.append(LabeledSentence(toks, tuple("B-X" if t[0].isupper() else "O" for t in toks)))
    return out, "synthetic"


def worker(args) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    work = Path(args.workdir)
    sentences = [s for s in json.loads((work / "data.json").read_text())]
    from xlt.types import LabeledSentence

    data = [LabeledSentence(tuple(t), tuple(lab)) for t, lab in sentences]
    labels = sorted({x for s in data for x in s.labels}, key=lambda s: (s != "O", s))
    model_dir = args.model or str(work / "model")
    if args.worker in ("xlt", "xlt-full"):
        from xlt.finetuning.config import FinetuneConfig
        from xlt.models.transformers import TransformersTaskModel

        cfg = FinetuneConfig(
            model=model_dir,
            task="ner",
            labels=labels,
            max_length=args.max_length,
            batch_size=args.batch_size,
            epochs=args.epochs,
            learning_rate=5e-5,
            warmup_ratio=0.0,
            selection="last",
            freeze_word_embeddings=args.worker == "xlt",
        )
        tagger = TransformersTaskModel(cfg)
        tagger.fit(data)
        res = tagger.result_
        seconds, real, padded, steps = res.seconds, res.train_tokens, res.padded_tokens, res.steps
        start = time.perf_counter()
        tagger.predict(data)
        infer_seconds = time.perf_counter() - start
        infer_tokens = real / max(1, math.ceil(args.epochs))
    else:
        seconds, real, padded, steps, infer_seconds, infer_tokens = plain_hf_trainer(
            model_dir, data, labels, args
        )
    return {
        "path": args.worker,
        "seconds": seconds,
        "real_tokens": real,
        "padded_tokens": padded,
        "steps": steps,
        "tokens_per_s": real / seconds,
        "infer_tokens_per_s": infer_tokens / infer_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def plain_hf_trainer(model_dir, data, labels, args):
    """The common run_ner-style script with default settings (pad to max length)."""
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
        default_data_collator,
    )

    tok = AutoTokenizer.from_pretrained(model_dir)
    label2id = {lab: i for i, lab in enumerate(labels)}
    enc = tok(
        [list(s.tokens) for s in data],
        is_split_into_words=True,
        truncation=True,
        max_length=args.max_length,
        padding="max_length",
    )
    features = []
    for i, s in enumerate(data):
        prev, lab = None, []
        for w in enc.word_ids(i):
            lab.append(-100 if w is None or w == prev else label2id[s.labels[w]])
            prev = w
        features.append(
            {"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i], "labels": lab}
        )
    real = sum(sum(f["attention_mask"]) for f in features)
    model = AutoModelForTokenClassification.from_pretrained(model_dir, num_labels=len(labels))
    with tempfile.TemporaryDirectory() as tmp:
        targs = TrainingArguments(
            output_dir=tmp,
            per_device_train_batch_size=args.batch_size,
            num_train_epochs=args.epochs,
            learning_rate=5e-5,
            report_to=[],
            save_strategy="no",
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=model, args=targs, train_dataset=features, data_collator=default_data_collator
        )
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        trainer.predict(features)
        infer_seconds = time.perf_counter() - start
    epochs = math.ceil(args.epochs) if args.epochs >= 1 else args.epochs
    return (seconds, int(real * epochs), len(features) * args.max_length * epochs, trainer.state.global_step,
            infer_seconds, real)  # fmt: skip


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    n = args.sentences or (320 if args.quick else 2000)
    hidden = args.hidden or (64 if args.quick else 256)
    layers = args.layers or (2 if args.quick else 4)
    repeats = args.repeats or (1 if args.quick else 2)
    start = time.perf_counter()
    sentences, source = load_sentences(n)
    with tempfile.TemporaryDirectory(prefix="xlt-ft-speed-") as tmp:
        work = Path(tmp)
        if args.model is None:
            from xlt.testing.tiny import build_tiny_model

            texts = [" ".join(s.tokens) for s in sentences]
            build_tiny_model(work / "model", texts, vocab_size=2000, hidden_size=hidden, layers=layers)
        (work / "data.json").write_text(json.dumps([[list(s.tokens), list(s.labels)] for s in sentences]))
        runs = []
        for r in range(repeats):
            order = PATHS if r % 2 == 0 else PATHS[::-1]
            for path in order:
                cmd = [sys.executable, __file__, "--worker", path, "--workdir", str(work), "--threads",
                       str(args.threads), "--epochs", str(args.epochs), "--batch-size", str(args.batch_size),
                       "--max-length", str(args.max_length)]  # fmt: skip
                if args.model:
                    cmd += ["--model", args.model]
                env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error",
                       "OMP_NUM_THREADS": str(args.threads)}  # fmt: skip
                proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
                if proc.returncode != 0:
                    print(proc.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"{path} worker failed")
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))

    def best(path: str) -> dict:
        return max((r for r in runs if r["path"] == path), key=lambda r: r["tokens_per_s"])

    paths = {p: best(p) for p in PATHS}
    b = paths["baseline"]
    report = {
        "data": source,
        "sentences": len(sentences),
        "model": args.model or {"hidden": hidden, "layers": layers},
        "threads": args.threads,
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "paths": {
            p: {
                "train_tokens_per_s": round(r["tokens_per_s"], 1),
                "infer_tokens_per_s": round(r["infer_tokens_per_s"], 1),
                "train_ratio": round(r["tokens_per_s"] / b["tokens_per_s"], 3),
                "infer_ratio": round(r["infer_tokens_per_s"] / b["infer_tokens_per_s"], 3),
                "peak_rss_mb": round(r["peak_rss_mb"], 1),
                "padding_share": round(1 - r["real_tokens"] / r["padded_tokens"], 3),
            }
            for p, r in paths.items()
        },
        "ratio": round(paths["xlt"]["tokens_per_s"] / b["tokens_per_s"], 3),
        "runs": runs,
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(report))
    else:
        what = args.model or f"tiny model hidden {hidden} x {layers} layers"
        print(f"data: {source}, {len(sentences)} sentences; {what}")
        print(
            f"{'path':10}{'train tok/s':>13}{'ratio':>7}{'infer tok/s':>13}{'ratio':>7}{'peak RSS MiB':>14}"
        )
        for p, r in report["paths"].items():
            print(f"{p:10}{r['train_tokens_per_s']:>13.1f}{r['train_ratio']:>7.2f}"
                  f"{r['infer_tokens_per_s']:>13.1f}{r['infer_ratio']:>7.2f}{r['peak_rss_mb']:>14.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
