"""Span projection quality: project the English NER gold of the Europarl parallel set
(Agerri et al. 2018) onto de, es and it and score strict IOB2 span F1 against their gold.

Span-heuristic and symmetrization settings are *not* chosen on Europarl: ``--dev`` runs the same
pipeline on UNER PUD en->de and en->pt (gold NER on parallel UD sentences) over a small grid and
picks the setting with the best mean dev F1; that setting is then applied to Europarl.

Alignment variants: ``base`` (eflomal on the 799 Europarl pairs only), ``extra`` (+ the pair's
XL-WA, SIB-200 and PUD sentences), ``extra+dict`` (+ MUSE dictionary priors). ``reference`` rows use
gdfa and the hull of the aligned target tokens (the issue's reference method).

    nice -n 10 python benchmarks/projection.py --out projection.json [--embedding-model DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from alignment import data_root, finish, have_data, parse_args, pud_pairs, save, sib_pairs

LANGS = {"de": ("deu_Latn", "German"), "es": ("spa_Latn", "Spanish"), "it": ("ita_Latn", "Italian")}
DEV = {"de": ("German", "deu_Latn"), "pt": ("Portuguese", "por_Latn")}
REFERENCE = {
    "symmetrize": "grow-diag-final-and",
    "discontinuous": "hull",
    "max_gap": 10_000,
    "trim_punctuation": False,
}
GRID = {
    "symmetrize": ("grow-diag-final-and", "grow-diag", "intersection", "union"),
    "discontinuous": ("hull", "largest"),
    "max_gap": (0, 1, 2),
    "trim_punctuation": (False, True),
    "exact_match": (False, True),
}


def europarl(lang: str):
    from xlt.io.conll import read_conll

    return read_conll(
        data_root() / "projection" / "europarl_ner_agerri2018" / f"{lang}-europarl.test.conll02"
    )


def uner_pud(lang: str):
    from xlt.io.conllu import read_tagged

    code = {"English": "en", "German": "de", "Portuguese": "pt"}[lang]
    return read_tagged(data_root() / "uner" / f"UNER_{lang}-PUD" / f"{code}_pud-ud-test.iob2")


def xlwa_pairs(lang: str):
    from xlt.io.pharaoh import read_xlwa

    root = data_root() / "alignment" / "xl-wa" / lang
    if not root.is_dir():
        return []
    return [p for split in ("train", "dev", "test") for p, _ in read_xlwa(root / f"{split}.tsv")]


def extra_for(lang: str, flores: str, pud: str | None):
    return xlwa_pairs(lang) + sib_pairs(flores) + pud_pairs(pud)


def directional(src, tgt, extra, cfg):
    from xlt.alignment import aligners
    from xlt.types import SentencePair

    pairs = [SentencePair(s.tokens, t.tokens) for s, t in zip(src, tgt, strict=True)]
    aligner = aligners.build("eflomal", cfg)
    t0 = time.perf_counter()
    out = aligner.align_directional(pairs, extra=extra)
    return out, time.perf_counter() - t0


def score(src, tgt, links, setting) -> tuple[float, dict]:
    from xlt.alignment.eflomal import to_alignment
    from xlt.evaluation.metrics import span_prf
    from xlt.projection import projectors

    aligns = [to_alignment(f, r, setting["symmetrize"]) for f, r in links]
    proj = projectors.build("spans", {k: v for k, v in setting.items() if k != "symmetrize"})
    pred = proj.project(src, [t.sentence for t in tgt], aligns)
    f1 = span_prf([t.labels for t in tgt], [p.labels for p in pred])["f1"]
    return 100 * f1, proj.stats_


def select_on_dev(n_samplers: int) -> tuple[dict, dict]:
    en = uner_pud("English")
    runs = {}
    for lang, (name, flores) in DEV.items():
        tgt = uner_pud(name)
        runs[lang] = (tgt, directional(en, tgt, sib_pairs(flores), {"n_samplers": n_samplers})[0])
    table = {}
    keys = list(GRID)
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(keys, values, strict=True))
        f1s = [score(en, tgt, links, setting)[0] for tgt, links in runs.values()]
        table[json.dumps(setting)] = round(sum(f1s) / len(f1s), 2)
    best = json.loads(max(table, key=table.get))
    return best, {
        "dev_mean_f1": table,
        "best": best,
        "reference_setting_dev_f1": table.get(json.dumps(REFERENCE)),
    }


def pos_run(lang: str, n_samplers: int) -> dict:
    """Token projection of English UPOS onto a PUD treebank (UD words, eflomal + SIB-200 + MUSE priors)."""
    from xlt.io.conllu import iter_conllu
    from xlt.projection import projectors

    root = data_root() / "ud"
    name, flores = {
        "de": ("German", "deu_Latn"),
        "es": ("Spanish", "spa_Latn"),
        "it": ("Italian", "ita_Latn"),
    }[lang]
    en = [s.to_labeled("upos") for s in iter_conllu(root / "UD_English-PUD" / "en_pud-ud-test.conllu")]
    xx = [s.to_labeled("upos") for s in iter_conllu(root / f"UD_{name}-PUD" / f"{lang}_pud-ud-test.conllu")]
    cfg = {
        "n_samplers": n_samplers,
        "dictionary": str(data_root() / "dictionaries" / "muse_full_hunalign" / f"en-{lang}.dict"),
    }
    links, secs = directional(en, xx, sib_pairs(flores), cfg)
    from xlt.alignment.eflomal import to_alignment

    out = {"seconds": round(secs, 1)}
    for sym in ("intersection", "grow-diag-final-and"):
        proj = projectors.build("tokens", {})
        pred = proj.project(en, [x.sentence for x in xx], [to_alignment(f, r, sym) for f, r in links])
        pairs = [
            (g, p) for gs, ps in zip(xx, pred, strict=True) for g, p in zip(gs.labels, ps.labels, strict=True)
        ]
        labelled = [(g, p) for g, p in pairs if p is not None]
        out[sym] = {
            "accuracy_all_tokens": round(100 * sum(g == p for g, p in pairs) / len(pairs), 2),
            "accuracy_labelled": round(100 * sum(g == p for g, p in labelled) / len(labelled), 2),
            "coverage": round(100 * proj.stats_["coverage"], 2),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--langs", default="de,es,it")
    ap.add_argument("--variants", default="base,extra,extra+dict")
    ap.add_argument("--n-samplers", type=int, default=3)
    ap.add_argument(
        "--no-dev", action="store_true", help="Skip dev selection; use the span projector defaults."
    )
    ap.add_argument("--embedding-model", help="Also run the embedding aligner with this (local) model.")
    ap.add_argument(
        "--embedding-only",
        action="store_true",
        help="Only the embedding aligner (and hybrid: embedding + eflomal extra+dict); no dev.",
    )
    ap.add_argument(
        "--no-hybrid", action="store_true", help="With --embedding-model: skip the hybrid aligner."
    )
    ap.add_argument(
        "--pos-only", action="store_true", help="Only UPOS token projection on UD PUD (en -> --langs)."
    )
    args = parse_args(ap, argv)
    if not have_data():
        return 0
    results: dict = {}
    if args.pos_only or args.embedding_only:
        en = europarl("en")
        for lang in args.langs.split(","):
            if args.pos_only:
                results[lang] = {"pos": pos_run(lang, args.n_samplers)}
            else:
                results[lang] = embedding_run(
                    en,
                    europarl(lang),
                    args.embedding_model,
                    None if args.no_hybrid else lang,
                    args.n_samplers,
                )
            print(f"{lang} {results[lang]}", file=sys.stderr, flush=True)
        print(json.dumps(results, indent=2))
        save(results, args)
        return 0
    if args.no_dev:
        chosen = {"symmetrize": "grow-diag-final-and"}
    else:
        chosen, results["dev"] = select_on_dev(args.n_samplers)
        print(f"dev-selected setting: {chosen}", file=sys.stderr, flush=True)
    results["chosen"] = chosen
    en = europarl("en")
    for lang in args.langs.split(","):
        flores, pud = LANGS[lang]
        tgt = europarl(lang)
        results[lang] = {}
        for variant in args.variants.split(","):
            cfg: dict = {"n_samplers": args.n_samplers}
            extra = extra_for(lang, flores, pud) if "extra" in variant else []
            if "dict" in variant:
                cfg["dictionary"] = str(
                    data_root() / "dictionaries" / "muse_full_hunalign" / f"en-{lang}.dict"
                )
            links, secs = directional(en, tgt, extra, cfg)
            ref, _ = score(en, tgt, links, REFERENCE)
            f1, stats = score(en, tgt, links, chosen)
            results[lang][variant] = {
                "reference_f1": round(ref, 2),
                "f1": round(f1, 2),
                "stats": stats,
                "train_pairs": len(en) + len(extra),
                "seconds": round(secs, 1),
            }
            print(
                f"{lang} {variant:11} reference {ref:.1f}  xlt {f1:.1f}  ({secs:.0f}s)",
                file=sys.stderr,
                flush=True,
            )
            save(results, args)
        if args.embedding_model:
            results[lang]["embedding"] = embedding_run(
                en, tgt, args.embedding_model, None if args.no_hybrid else lang, args.n_samplers
            )
    for variant in args.variants.split(","):
        vals = [results[lang][variant]["f1"] for lang in args.langs.split(",")]
        refs = [results[lang][variant]["reference_f1"] for lang in args.langs.split(",")]
        results.setdefault("mean", {})[variant] = {
            "f1": round(sum(vals) / len(vals), 2),
            "reference_f1": round(sum(refs) / len(refs), 2),
        }
    if not finish(results, args):
        for variant, m in results["mean"].items():
            per = "  ".join(f"{lang} {results[lang][variant]['f1']:.1f}" for lang in args.langs.split(","))
            print(f"{variant:11} {per}  mean {m['f1']:.1f} (reference method: {m['reference_f1']:.1f})")
    return 0


def embedding_run(en, tgt, model: str, lang: str | None = None, n_samplers: int = 3) -> dict:
    """Span projection through the embedding aligner (its defaults) and, with ``lang``, through
    the hybrid aligner (default combination; eflomal trained with the extra+dict data)."""
    from xlt.alignment import aligners
    from xlt.evaluation.metrics import span_prf
    from xlt.projection import projectors
    from xlt.types import SentencePair

    pairs = [SentencePair(s.tokens, t.tokens) for s, t in zip(en, tgt, strict=True)]
    runs = {"embedding": (aligners.build("embedding", {"model": model}), [])}
    if lang is not None:
        flores, pud = LANGS[lang]
        cfg = {
            "model": model,
            "dictionary": str(data_root() / "dictionaries" / "muse_full_hunalign" / f"en-{lang}.dict"),
            "eflomal": {"n_samplers": n_samplers},
        }
        runs["hybrid"] = (aligners.build("hybrid", cfg), extra_for(lang, flores, pud))
    out: dict = {"model": model}
    for name, (aligner, extra) in runs.items():
        t0 = time.perf_counter()
        aligns = aligner.align(pairs, extra=extra)
        proj = projectors.build("spans", {})
        pred = proj.project(en, [t.sentence for t in tgt], aligns)
        f1 = 100 * span_prf([t.labels for t in tgt], [p.labels for p in pred])["f1"]
        out[name] = {
            "f1": round(f1, 2),
            "seconds": round(time.perf_counter() - t0, 1),
            "config": aligner.config.to_dict(),
        }
    return out


if __name__ == "__main__":
    raise SystemExit(main())
