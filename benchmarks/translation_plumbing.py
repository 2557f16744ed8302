"""Plumbing of translation-based projection on a tiny random seq2seq model (no MT quality).

No machine-translation model is available offline here, so no translation or projection
*quality* can be measured; this script measures what the code does around the model, on real
English NER sentences (WNUT-17 train, the first sentences with entities, from the shared data):

* plain translation throughput of ``hf-seq2seq`` with batch size 1 against batched decoding;
* ``markers`` (EasyProject) through an echo translator (the marked sentence returned as is: a
  perfect marker-preserving MT system) — every span must come back (parser check) — and through
  the tiny random model, whose outputs lose the markers: every span then goes to the fuzzy
  fallback, and every sentence is kept or dropped with a counted reason;
* ``constrained`` (Codec) with the source sentence as its own "translation": the constrained
  decoder must place every span (``require_all``), whatever the random model prefers; its cost
  against plain decoding.

    nice -n 5 env OMP_NUM_THREADS=1 python benchmarks/translation_plumbing.py --n 100 --out plumbing.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def wnut_sentences(n: int):
    from xlt.io.conll import read_conll
    from xlt.paths import data_root
    from xlt.projection.base import bio_spans

    path = data_root() / "ner_en" / "wnut17" / "wnut17train.conll.gz"
    sents = [s for s in read_conll(path, delimiter="\t") if len(s) and bio_spans(s.labels)]
    return [s for s in sents if len(s) <= 40][:n]


class Echo:
    """A perfect marker-preserving 'MT system': returns its input."""

    open_ended = True

    def __init__(self) -> None:
        self.stats_: dict = {}

    def translate(self, sentences, src, tgt):
        return list(sentences)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="sentences (with entities) to use")
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--beam", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="write the numbers as JSON here")
    args = ap.parse_args()

    import torch

    from xlt.languages import resolve
    from xlt.testing.tiny_mt import build_tiny_seq2seq
    from xlt.translation import build_translator, translation_projectors

    eng, eus = resolve("eng"), resolve("eus")
    sents = wnut_sentences(args.n)
    n_spans = sum(1 for s in sents for lab in s.labels if lab.startswith("B-"))
    texts = [" ".join(s.tokens) for s in sents]
    results: dict = {
        "data": f"WNUT-17 train, first {len(sents)} sentences with entities ({n_spans} spans)",
        "model": "tiny random Marian (1+1 layers, d=32), built in-process",
        "threads": torch.get_num_threads(),
        "beam_size": args.beam,
        "max_new_tokens": args.max_new_tokens,
    }
    with tempfile.TemporaryDirectory() as tmp:
        model = str(build_tiny_seq2seq(Path(tmp) / "mt", texts[:200], vocab_size=400))

        def hf(batch: int):
            return build_translator(
                {"method": "hf-seq2seq", "model": model, "device": "cpu", "beam_size": args.beam,
                 "max_new_tokens": args.max_new_tokens, "batch_size": batch}
            )  # fmt: skip

        for batch in (1, 16):
            tr = hf(batch)
            tr.translate(texts[:2], eng, eus)  # load + warm up
            tr.translate(texts, eng, eus)
            results[f"plain_batch{batch}"] = {
                "sentences_per_second": tr.stats_["sentences_per_second"],
                "seconds": tr.stats_["seconds"],
                "truncated": tr.stats_["truncated"],
            }

        echo = translation_projectors.build("markers")
        echo.project(sents, Echo(), eng, eus)
        results["markers_echo"] = {
            k: echo.stats_[k] for k in ("kept", "dropped", "spans", "markers", "seconds")
        }

        rnd = translation_projectors.build("markers", max_length_ratio=10)
        tr = hf(16)
        rnd.project(sents, tr, eng, eus)
        results["markers_tiny_model"] = {
            k: rnd.stats_[k] for k in ("kept", "dropped", "dropped_by_reason", "spans", "markers", "seconds")
        }
        results["markers_tiny_model"]["sentences_per_second"] = round(len(sents) / rnd.stats_["seconds"], 2)

        # tweets hold [ ] < > themselves, and the tiny vocabulary cannot spell the exotic default
        # pairs: indexed brackets instead (multi-token markers, distinct id sequences)
        indexed = [[f"[{k}", f"{k}]"] for k in range(1, 9)]
        con = translation_projectors.build("constrained", markers=indexed)
        tr = hf(16)
        t0 = time.perf_counter()
        con.project(sents, tr, eng, eus, translations=texts)
        seconds = time.perf_counter() - t0
        results["constrained_tiny_model"] = {
            k: con.stats_[k] for k in ("kept", "dropped", "dropped_by_reason", "spans", "markers")
        }
        results["constrained_tiny_model"]["seconds"] = round(seconds, 3)
        results["constrained_tiny_model"]["sentences_per_second"] = round(len(sents) / seconds, 2)
    results["note"] = (
        "plumbing only: the model has random weights, so no MT or projection quality is measured "
        "(impossible offline without an MT model)"
    )
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        from xlt.config import atomic_write_text

        atomic_write_text(args.out, text + "\n")


if __name__ == "__main__":
    sys.exit(main())
