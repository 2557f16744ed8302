"""Vocabulary transfer benchmark: how well does each embedding initializer start?

A small English masked-LM is pretrained here on the World English Bible (with
``xlt.finetuning.pretrain``); for each target language with a Bible in
``../shared/data/bible`` a target tokenizer is trained on the target Bible, the
model's vocabulary is replaced with each initializer (random, mean, FOCUS,
WECHSEL, trans-tokenization), and the masked-LM loss on held-out target verses
is measured before (step 0) and after a fixed budget of continued pretraining on
the other target verses. Held-out verses (every verse whose id hashes to 0 mod
10) are never used for tokenizer training, static embeddings, alignment or
continued pretraining.

    python benchmarks/vocab_transfer.py --quick --format json
    python benchmarks/vocab_transfer.py --languages swahili basque wolof estonian --out vocab.json

stdout (``--format json``): one JSON object ``{method: {initial_loss, final_loss,
init_seconds, train_seconds, languages: {...}}}`` (losses averaged over languages).
``--out FILE`` additionally writes the settings and per-language training curves.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

METHODS = ("random", "mean", "focus", "wechsel", "transtokenize")
#: Bible file stem and language code (for the dictionary lookup) of each target
LANGUAGES = {
    "swahili": ("Swahili-NT", "sw"),
    "basque": ("Basque-NT", "eu"),
    "wolof": ("Wolof-NT", "wo"),
    "estonian": ("Estonian-PART", "et"),
    "zulu": ("Zulu-NT", "zu"),
}


@dataclass(frozen=True)
class Settings:
    languages: tuple[str, ...]
    source_verses: int
    source_steps: int
    source_vocab: int
    target_vocab: int
    hidden: int
    layers: int
    heads: int
    max_length: int
    target_train_verses: int
    heldout_verses: int
    budget_steps: int
    batch_size: int
    learning_rate: float
    logging_steps: int
    seed: int = 0


QUICK = Settings(
    languages=("swahili", "basque"),
    source_verses=6000,
    source_steps=200,
    source_vocab=2000,
    target_vocab=2000,
    hidden=64,
    layers=2,
    heads=2,
    max_length=48,
    target_train_verses=2000,
    heldout_verses=100,
    budget_steps=40,
    batch_size=16,
    learning_rate=2e-3,
    logging_steps=5,
)
FULL = Settings(
    languages=("swahili", "basque", "wolof"),
    source_verses=31000,
    source_steps=1000,
    source_vocab=4000,
    target_vocab=4000,
    hidden=64,
    layers=2,
    heads=2,
    max_length=64,
    target_train_verses=5000,
    heldout_verses=300,
    budget_steps=150,
    batch_size=16,
    learning_rate=2e-3,
    logging_steps=10,
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def stdout_to_stderr():
    """Send file descriptor 1 (Python prints and child processes alike) to stderr for a while."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def is_heldout(verse_id: str) -> bool:
    return zlib.crc32(verse_id.encode()) % 10 == 0


def source_model(s: Settings, english: dict[str, str], work: Path):
    """Pretrain (or reuse, if the same settings were run before) the English source MLM."""

    from xlt.finetuning.pretrain import PretrainConfig, pretrain

    key = zlib.crc32(json.dumps(["v2", s.source_verses, s.source_steps, s.source_vocab, s.hidden, s.layers,
                                 s.heads, s.max_length, s.seed]).encode())  # fmt: skip
    out = work / f"source-en-{key:08x}"
    if (out / "config.json").is_file() and (out / "tokenizer.json").is_file():
        log(f"reusing source model {out}")
        return out, 0.0
    texts = [t for v, t in english.items() if not is_heldout(v)][: s.source_verses]
    cfg = PretrainConfig(
        vocab_size=s.source_vocab,
        hidden_size=s.hidden,
        num_layers=s.layers,
        num_heads=s.heads,
        max_length=s.max_length,
        max_steps=s.source_steps,
        batch_size=32,
        learning_rate=s.learning_rate,
        logging_steps=max(1, s.source_steps // 10),
        seed=s.seed,
        output_dir=str(out),
    )
    log(f"pretraining the English source model ({len(texts)} verses, {s.source_steps} steps)")
    result = pretrain(cfg, texts)
    return out, result.seconds


def source_loss(s: Settings, english: dict[str, str], src_dir: Path) -> float:
    """Held-out English MLM loss of the source model (how much it learned before transfer)."""
    from transformers import AutoModelForMaskedLM

    from xlt.finetuning.pretrain import mlm_loss
    from xlt.hub import load_model, load_tokenizer

    heldout = [t for v, t in english.items() if is_heldout(v)][: s.heldout_verses]
    model, tok = load_model(AutoModelForMaskedLM, src_dir), load_tokenizer(src_dir)
    return mlm_loss(model, tok, heldout, max_length=s.max_length, seed=s.seed)


def smoothed(losses: list[tuple[int, float]], window: int = 3) -> list[tuple[int, float]]:
    """Trailing running mean of logged training losses (single batches are noisy)."""
    out = []
    for i, (step, _) in enumerate(losses):
        part = [v for _, v in losses[max(0, i - window + 1) : i + 1]]
        out.append((step, sum(part) / len(part)))
    return out


def steps_to_reach(losses: list[tuple[int, float]], threshold: float) -> int | None:
    """First logged step whose smoothed training loss is at or below ``threshold``."""
    for step, loss in smoothed(losses):
        if loss <= threshold:
            return step
    return None


def run_language(s: Settings, lang: str, english: dict[str, str], src_dir: Path, work: Path, data_root: Path):
    from transformers import AutoModelForMaskedLM

    from xlt.finetuning.pretrain import PretrainConfig, mlm_loss, pretrain
    from xlt.hub import load_model, load_tokenizer
    from xlt.io.parallel import read_bible
    from xlt.vocab.apply import transfer_model
    from xlt.vocab.dictionaries import load_dictionary
    from xlt.vocab.initializers import TransferData, initializers
    from xlt.vocab.tokenizer import train_tokenizer

    stem, code = LANGUAGES[lang]
    verses = {v: t for v, t in read_bible(data_root / "bible" / f"{stem}.xml").items() if t.strip()}
    heldout = [t for v, t in verses.items() if is_heldout(v)][: s.heldout_verses]
    train_ids = [v for v in verses if not is_heldout(v)][: s.target_train_verses]
    train = [verses[v] for v in train_ids]
    parallel = [(english[v], verses[v]) for v in train_ids if v in english and english[v].strip()]
    source_tok = load_tokenizer(src_dir)
    target_tok = train_tokenizer(train, kind="unigram", vocab_size=s.target_vocab, like=source_tok)
    dictionary = load_dictionary(code, data_root)
    english_train = [t for v, t in english.items() if not is_heldout(v)][: s.source_verses]
    data = TransferData(
        source_texts=english_train, target_texts=train, parallel=parallel, dictionary=dictionary
    )
    log(
        f"{lang}: {len(train)} train / {len(heldout)} held-out verses, {len(parallel)} parallel with English, "
        f"{len(dictionary)} dictionary pairs, target vocab {len(target_tok)}"
    )
    out = {}
    for method in METHODS:
        model = load_model(AutoModelForMaskedLM, src_dir)
        init = initializers.build(method, {"seed": s.seed})
        t0 = time.perf_counter()
        model, report = transfer_model(model, source_tok, target_tok, init, data)
        init_s = time.perf_counter() - t0
        initial = mlm_loss(model, target_tok, heldout, max_length=s.max_length, seed=s.seed)
        cfg = PretrainConfig(
            max_length=s.max_length,
            max_steps=s.budget_steps,
            batch_size=s.batch_size,
            learning_rate=s.learning_rate,
            logging_steps=s.logging_steps,
            seed=s.seed,
            output_dir=str(work / f"{lang}-{method}"),
        )
        result = pretrain(cfg, train, model=model, tokenizer=target_tok)
        final = mlm_loss(model, target_tok, heldout, max_length=s.max_length, seed=s.seed)
        out[method] = {
            "initial_loss": initial,
            "final_loss": final,
            "init_seconds": init_s,
            "train_seconds": result.seconds,
            "rows": report.rows,
            "fitted": {k: v for k, v in vars(init).items() if k.endswith("_") and not k.startswith("_")},
            "train_losses": result.losses,
        }
        log(
            f"{lang} {method}: loss {initial:.3f} -> {final:.3f} (init {init_s:.1f}s, train {result.seconds:.1f}s) {report.rows}"
        )
    rand_curve = smoothed(out["random"]["train_losses"])
    rand_final = rand_curve[-1][1] if rand_curve else None
    for m in out.values():
        m["steps_to_random_final_train_loss"] = (
            steps_to_reach(m["train_losses"], rand_final) if rand_final is not None else None
        )
    return out


def summarise(per_lang: dict[str, dict[str, dict]]) -> dict[str, dict]:
    result = {}
    for method in METHODS:
        rows = {lang: res[method] for lang, res in per_lang.items()}
        result[method] = {
            "initial_loss": statistics.fmean(r["initial_loss"] for r in rows.values()),
            "final_loss": statistics.fmean(r["final_loss"] for r in rows.values()),
            "init_seconds": sum(r["init_seconds"] for r in rows.values()),
            "train_seconds": sum(r["train_seconds"] for r in rows.values()),
            "languages": {
                lang: {
                    k: r[k]
                    for k in (
                        "initial_loss",
                        "final_loss",
                        "init_seconds",
                        "steps_to_random_final_train_loss",
                    )
                }
                for lang, r in rows.items()
            },
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="Small model, 2 languages, short budgets (< 5 min)."
    )
    parser.add_argument("--languages", nargs="+", choices=sorted(LANGUAGES), help="Target languages.")
    parser.add_argument("--budget-steps", type=int, help="Continued-pretraining steps per method.")
    parser.add_argument("--work-dir", type=Path, help="Where models are written (default: a temp dir).")
    parser.add_argument("--data", type=Path, help="Shared data root (default: ../shared/data or $XLT_DATA).")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--out", type=Path, help="Also write settings + full results as JSON here.")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    from xlt.io.parallel import read_bible
    from xlt.paths import data_root, shared_data_available

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    root = data_root(args.data)
    if not shared_data_available(root) or not (root / "bible").is_dir():
        print(f"skipped: shared data not found at {root} (set XLT_DATA)", file=sys.stderr)
        return 0
    s = QUICK if args.quick else FULL
    if args.languages:
        s = Settings(**{**asdict(s), "languages": tuple(args.languages)})
    if args.budget_steps:
        s = Settings(**{**asdict(s), "budget_steps": args.budget_steps})
    start = time.perf_counter()
    # libraries print progress to stdout; keep stdout for the one result document
    with (
        tempfile.TemporaryDirectory(prefix="xlt-vocab-bench-") as tmp,
        stdout_to_stderr(),
    ):
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        english = {
            v: t for v, t in read_bible(root / "bible" / "English-WEB.verses.tsv").items() if t.strip()
        }
        src_dir, src_seconds = source_model(s, english, work)
        src_loss = source_loss(s, english, src_dir)
        log(f"source model: held-out English MLM loss {src_loss:.3f} (vocab {s.source_vocab})")
        per_lang = {lang: run_language(s, lang, english, src_dir, work, root) for lang in s.languages}
    summary = summarise(per_lang)
    total = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    log(f"total {total:.0f}s wall, {cpu:.0f}s CPU (user+sys, incl. child processes such as eflomal)")
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "settings": asdict(s),
                    "source_pretrain_seconds": src_seconds,
                    "source_heldout_loss": src_loss,
                    "total_seconds": total,
                    "cpu_seconds": cpu,
                    "results": summary,
                    "details": per_lang,
                },
                indent=2,
            )
        )
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    else:
        print(f"vocabulary transfer: {', '.join(s.languages)}; {s.budget_steps} continued-pretraining steps; "
              f"held-out MLM loss (mean over languages); source English loss {src_loss:.3f}; "
              f"total {total:.0f}s wall, {cpu:.0f}s CPU")  # fmt: skip
        print(f"{'method':<14}{'step 0':>10}{'final':>10}{'init s':>10}{'train s':>10}")
        for m, r in summary.items():
            print(
                f"{m:<14}{r['initial_loss']:>10.3f}{r['final_loss']:>10.3f}{r['init_seconds']:>10.1f}{r['train_seconds']:>10.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
