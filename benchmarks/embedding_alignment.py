"""Embedding alignment with a real encoder: dev-set choice of its settings, test AER next to eflomal
and their combination, and speed against a one-pair-at-a-time SimAlign-style loop.

Three parts (``--parts``; each writes into the same JSON):

- ``dev``: choice of the embedding aligner's settings on **dev data only** — the XL-WA dev splits of
  all 10 languages (bg da es et hu it nl pt ru sl, ~100 pairs each) and the 100 Biçici de-en
  Europarl pairs. One forward pass gives layers 4-10 and two layer averages; on them a grid of
  pooling (subword / mean / first) x centring x extraction (argmax, itermax, match, softmax) x
  distortion is scored by the mean AER over the 11 dev sets.
- ``combo``: choice of the embedding + eflomal combination on XL-WA dev (es it nl pt; eflomal trained
  on the language's XL-WA train + dev sentences, never test).
- ``test``: AER of the defaults on XL-WA es/it/nl/pt test, Hansards en-fr and WPT ro-en: embedding,
  eflomal (same training data as ``benchmarks/alignment.py`` base), and every combination.
- ``speed``: sentence pairs per second of the batched aligner (defaults) against a loop that, like
  SimAlign, runs the full model on one pair (source and target as a batch of two) at a time, with
  the same layer, pooling and extraction — in the same run, on the same pairs, with their AER.

    nice -n 10 python benchmarks/embedding_alignment.py --model /work/models/me5-small --out emb.json
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from alignment import data_root, finish, have_data, load, parse_args, save

DEV_LANGS = ("bg", "da", "es", "et", "hu", "it", "nl", "pt", "ru", "sl")
COMBO_LANGS = ("es", "it", "nl", "pt")
TEST_SETS = ("xlwa-es", "xlwa-it", "xlwa-nl", "xlwa-pt", "hansards-fr", "wpt-ro")
COMBINES = ("fill", "union", "intersection", "grow-diag", "grow-diag-final", "grow-diag-final-and", "priors")
GROUPS = [[k] for k in range(4, 11)] + [[6, 7], [5, 6, 7, 8]]


def pct(scores: dict) -> dict:
    return {k: round(100 * scores[k], 2) for k in ("aer", "precision", "recall", "f1")}


def dev_sets() -> dict:
    """name -> (pairs, gold) of every dev set (no test data)."""
    from xlt.io.pharaoh import read_naacl, read_xlwa
    from xlt.types import SentencePair

    root = data_root() / "alignment"
    out = {}
    for lang in DEV_LANGS:
        items = read_xlwa(root / "xl-wa" / lang / "dev.tsv")
        out[f"xlwa-dev-{lang}"] = ([p for p, _ in items], [a for _, a in items])
    b = root / "de-en_bicici_europarl100"
    en = [tuple(line.split()) for line in open(b / "test.en", encoding="utf-8-sig")]
    with gzip.open(b / "test.de.gz", "rt", encoding="utf-8-sig") as fh:
        de = [tuple(line.split()) for line in fh]
    gold = read_naacl(b / "de-en.ref.wa.gz", n_sentences=len(en))  # 0-based, German = source
    out["bicici-de-en"] = ([SentencePair(d, e) for d, e in zip(de, en, strict=True)], gold)
    return out


def run_dev(model: str) -> dict:
    """Grid over layers, pooling, centring, extraction and distortion on the dev sets."""
    import numpy as np

    from xlt.alignment import aligners
    from xlt.alignment.embedding import pool_vectors
    from xlt.alignment.metrics import alignment_scores

    sets = dev_sets()
    top = max(max(g) for g in GROUPS)
    enc = aligners.build("embedding", {"model": model, "layer": top})._encoder()
    t0 = time.perf_counter()
    states = {}
    for name, (pairs, _) in sets.items():
        sents = [p.src for p in pairs] + [p.tgt for p in pairs]
        states[name] = enc.subword_states_of(sents, GROUPS)
    encode_s = time.perf_counter() - t0
    grid = []
    for g, group in enumerate(GROUPS):
        for pooling in ("subword", "mean", "first"):
            for center in (True, False):
                for matching, extra in (
                    ("argmax", {}),
                    ("itermax", {}),
                    ("match", {}),
                    ("softmax", {"softmax_temperature": 0.05, "softmax_threshold": 0.4}),
                    ("softmax", {"softmax_temperature": 0.02, "softmax_threshold": 0.2}),
                    ("argmax", {"distortion": 0.25}),
                ):
                    if (len(group) > 1 or group[0] not in (6, 7, 8)) and (
                        matching != "argmax" or extra or pooling != "subword"
                    ):
                        continue  # the wide grid only at the middle layers; layer sweep with argmax
                    cfg = {"model": model, "layer": group, "pooling": pooling, "center": center}
                    cfg.update(matching=matching, **extra)
                    aligner = aligners.build("embedding", cfg)
                    per = {}
                    for name, (pairs, gold) in sets.items():
                        n = len(pairs)
                        pred = []
                        for k, p in enumerate(pairs):
                            hs, os_ = states[name][g][k]
                            ht, ot = states[name][g][n + k]
                            vs = pool_vectors(hs, os_, len(p.src), pooling, center=center)
                            vt = pool_vectors(ht, ot, len(p.tgt), pooling, center=center)
                            pred.append(aligner.align_vectors(vs, vt, len(p.src), len(p.tgt)))
                        per[name] = round(100 * alignment_scores(pred, gold)["aer"], 2)
                    row = {k: v for k, v in cfg.items() if k != "model"}
                    row["mean_aer"] = round(float(np.mean(list(per.values()))), 2)
                    row["xlwa_dev_aer"] = round(float(np.mean([v for k, v in per.items() if "xlwa" in k])), 2)
                    row["bicici_aer"] = per["bicici-de-en"]
                    grid.append(row)
                    print(f"dev {row}", file=sys.stderr, flush=True)
    grid.sort(key=lambda r: r["mean_aer"])
    return {"encode_seconds": round(encode_s, 1), "grid": grid, "best": grid[0]}


def xlwa_split(lang: str, split: str):
    from xlt.io.pharaoh import read_xlwa

    items = read_xlwa(data_root() / "alignment" / "xl-wa" / lang / f"{split}.tsv")
    return [p for p, _ in items], [a for _, a in items]


def compare(model: str, pairs, gold, train_only, n_samplers: int) -> dict:
    """embedding, eflomal and each combination on one dataset."""
    from xlt.alignment import aligners
    from xlt.alignment.eflomal import to_alignment
    from xlt.alignment.hybrid import combine_links
    from xlt.alignment.metrics import alignment_scores

    out: dict = {}
    emb_aligner = aligners.build("embedding", {"model": model})
    t0 = time.perf_counter()
    emb = emb_aligner.align(pairs)
    out["embedding"] = {**pct(alignment_scores(emb, gold)), "seconds": round(time.perf_counter() - t0, 1)}
    t0 = time.perf_counter()
    efl_aligner = aligners.build("eflomal", {"n_samplers": n_samplers})
    directional = efl_aligner.align_directional(pairs, extra=train_only)
    efl = [to_alignment(f, r, "grow-diag-final-and") for f, r in directional]
    out["eflomal"] = {**pct(alignment_scores(efl, gold)), "seconds": round(time.perf_counter() - t0, 1)}
    for combine in COMBINES:
        t0 = time.perf_counter()
        if combine == "priors":
            hybrid = aligners.build(
                "hybrid", {"model": model, "combine": "priors", "eflomal": {"n_samplers": n_samplers}}
            )
            pred = hybrid.align(pairs, extra=train_only)
        else:
            pred = [combine_links(e.sure, s.sure, combine) for e, s in zip(emb, efl, strict=True)]
        out[f"hybrid-{combine}"] = {
            **pct(alignment_scores(pred, gold)),
            "seconds": round(time.perf_counter() - t0, 1),
        }
    return out


def run_combo(model: str, n_samplers: int) -> dict:
    results: dict = {}
    for lang in COMBO_LANGS:
        pairs, gold = xlwa_split(lang, "dev")
        train_only, _ = xlwa_split(lang, "train")
        results[f"xlwa-dev-{lang}"] = compare(model, pairs, gold, train_only, n_samplers)
        print(f"combo {lang} {results[f'xlwa-dev-{lang}']}", file=sys.stderr, flush=True)
    methods = list(next(iter(results.values())))
    results["mean_aer"] = {
        m: round(sum(results[f"xlwa-dev-{lang}"][m]["aer"] for lang in COMBO_LANGS) / len(COMBO_LANGS), 2)
        for m in methods
    }
    return results


def run_test(model: str, n_samplers: int) -> dict:
    results: dict = {}
    for name in TEST_SETS:
        pairs, gold, train_only = load(name)
        results[name] = compare(model, pairs, gold, train_only, n_samplers)
        print(f"test {name} {results[name]}", file=sys.stderr, flush=True)
    return results


def simalign_loop(model: str, pairs) -> tuple[list, float]:
    """One pair per forward pass with the full model (SimAlign's procedure: source and target
    encoded together as a batch of two, every hidden state returned), then the same layer,
    centring, subword pooling, distortion prior and mutual argmax as xlt's defaults."""
    import numpy as np
    import torch

    from xlt.alignment.embedding import EmbeddingAlignerConfig, argmax_links, default_layer, distortion_prior
    from xlt.hub import load_model, load_tokenizer
    from xlt.types import Alignment

    tok = load_tokenizer(model)
    from transformers import AutoModel

    net = load_model(AutoModel, model).eval()
    layer = default_layer(net.config.num_hidden_layers)
    kappa = EmbeddingAlignerConfig().distortion
    t0 = time.perf_counter()
    out = []
    for p in pairs:
        enc = tok([list(p.src), list(p.tgt)], is_split_into_words=True, padding=True, return_tensors="pt")
        with torch.inference_mode():
            hidden = net(**enc, output_hidden_states=True).hidden_states[layer]
        vecs = []
        for row in range(2):
            ids = enc.word_ids(row)
            keep = [t for t, w in enumerate(ids) if w is not None]
            x = hidden[row, keep].numpy()
            x = x - x.mean(axis=0, keepdims=True)
            vecs.append((x / np.linalg.norm(x, axis=1, keepdims=True), np.array([ids[t] for t in keep])))
        (vs, os_), (vt, ot) = vecs
        sim = vs @ vt.T - kappa * distortion_prior(os_, ot, len(p.src), len(p.tgt))
        fwd, rev = argmax_links(sim)
        out.append(Alignment(sure=frozenset((int(os_[i]), int(ot[j])) for i, j in fwd & rev)))
    return out, time.perf_counter() - t0


def run_speed(model: str, dataset: str, limit: int, repeats: int) -> dict:
    """Loop and batched aligner alternately ``repeats`` times on the same pairs; the fastest
    run of each counts (the machine is shared, so single timings are noisy)."""
    import torch

    from xlt.alignment import aligners
    from xlt.alignment.metrics import alignment_scores

    pairs, gold, _ = load(dataset)
    pairs, gold = pairs[:limit], gold[:limit]
    results: dict = {"dataset": dataset, "pairs": len(pairs), "torch_threads": torch.get_num_threads()}
    aligner = aligners.build("embedding", {"model": model})
    aligner._encoder()  # loaded outside the timing, as the loop's model is
    loop_times, batched_times = [], []
    for _ in range(repeats):
        loop, loop_s = simalign_loop(model, pairs)
        loop_times.append(round(loop_s, 2))
        t0 = time.perf_counter()
        batched = aligner.align(pairs)
        batched_times.append(round(time.perf_counter() - t0, 2))
    for name, pred, times in (("simalign_loop", loop, loop_times), ("batched", batched, batched_times)):
        results[name] = {
            **pct(alignment_scores(pred, gold)),
            "seconds": min(times),
            "all_seconds": times,
            "pairs_per_second": round(len(pairs) / min(times), 1),
        }
    results["speedup"] = round(min(loop_times) / min(batched_times), 2)
    results["identical_links"] = sum(a.sure == b.sure for a, b in zip(loop, batched, strict=True))
    print(f"speed {results}", file=sys.stderr, flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="Encoder: local directory or hub id.")
    ap.add_argument("--parts", default="dev,combo,test,speed")
    ap.add_argument("--n-samplers", type=int, default=3)
    ap.add_argument("--speed-dataset", default="hansards-fr")
    ap.add_argument("--speed-pairs", type=int, default=200)
    ap.add_argument("--speed-repeats", type=int, default=2)
    args = parse_args(ap, argv)
    if not have_data():
        return 0
    results: dict = {"model": args.model}
    parts = args.parts.split(",")
    if "dev" in parts:
        results["dev"] = run_dev(args.model)
        save(results, args)
    if "combo" in parts:
        results["combo"] = run_combo(args.model, args.n_samplers)
        save(results, args)
    if "test" in parts:
        results["test"] = run_test(args.model, args.n_samplers)
        save(results, args)
    if "speed" in parts:
        results["speed"] = run_speed(args.model, args.speed_dataset, args.speed_pairs, args.speed_repeats)
    if not finish(results, args):
        if "dev" in results:
            print("dev (mean AER over 10 XL-WA dev sets + Biçici de-en), best 10:")
            for row in results["dev"]["grid"][:10]:
                print("  ", row)
        if "combo" in results:
            print("combination on XL-WA dev (mean AER):", results["combo"]["mean_aer"])
        for name, res in results.get("test", {}).items():
            print(f"{name:12} " + "  ".join(f"{m}={v['aer']:.1f}" for m, v in res.items()))
        if "speed" in results:
            s = results["speed"]
            print(
                f"speed on {s['pairs']} {s['dataset']} pairs: loop {s['simalign_loop']['pairs_per_second']} "
                f"pairs/s (AER {s['simalign_loop']['aer']}), batched {s['batched']['pairs_per_second']} "
                f"pairs/s (AER {s['batched']['aer']}), {s['speedup']}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
