"""Word-alignment quality: AER / precision / recall / F1 of eflomal with every symmetrization.

Datasets (``../shared/data``): XL-WA en-{es,it,nl,pt} test gold (eflomal trained on all of the
pair's XL-WA sentences), Hansards en-fr and WPT-2003 ro-en (trained on the test sentences alone).
Variants: ``base``; ``extra`` (+ the pair's SIB-200 sentences joined by index_id and the UD PUD
sentences joined by sent_id, where they exist); ``dict`` (base + MUSE dictionary priors);
``extra+dict``. One eflomal run per variant gives both directions; every symmetrization is computed
from the same run.

    nice -n 10 python benchmarks/alignment.py --out alignment.json [--datasets xlwa-es,hansards-fr]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

SYMS = ("intersection", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and", "forward", "reverse")
SHORT = dict(zip(SYMS, ("inter", "union", "gd", "gdf", "gdfa", "fwd", "rev"), strict=True))
#: dataset -> (language code of the non-English side, FLORES code, PUD treebank, English is source?)
DATASETS = {
    "xlwa-es": ("es", "spa_Latn", "Spanish", True),
    "xlwa-it": ("it", "ita_Latn", "Italian", True),
    "xlwa-nl": ("nl", "nld_Latn", None, True),
    "xlwa-pt": ("pt", "por_Latn", "Portuguese", True),
    "hansards-fr": ("fr", "fra_Latn", "French", True),
    "wpt-ro": ("ro", "ron_Latn", None, False),
}


def parse_args(ap: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Add the options every benchmark shares (``--out``, ``--format``) and parse."""
    ap.add_argument("--out", type=Path, help="Write the results as JSON here.")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def save(results: dict, args: argparse.Namespace) -> None:
    """Write ``results`` to ``--out`` (when given) as indented JSON; called after every step."""
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


def finish(results: dict, args: argparse.Namespace) -> bool:
    """Save the final ``results`` and print them as JSON with ``--format json``; whether it did."""
    save(results, args)
    if args.format == "json":
        print(json.dumps(results, indent=2))
        return True
    return False


def have_data() -> bool:
    """Whether the shared data is there (prints why not)."""
    from xlt.paths import shared_data_available

    if shared_data_available(data_root()):
        return True
    print(f"shared data not found at {data_root()}; skipping", file=sys.stderr)
    return False


def data_root() -> Path:
    from xlt.paths import data_root as root

    return root()


def sib_pairs(flores: str, english_first: bool = True):
    """SIB-200 (Flores-200 sample) sentences of English and ``flores``, joined by index_id."""
    from xlt.io.classification import iter_classification
    from xlt.io.tokenize import tokenize
    from xlt.types import SentencePair

    def read(code: str) -> dict[str, str]:
        root = data_root() / "sib200" / "annotated" / code
        return {
            ex.id: ex.text
            for split in ("train", "dev", "test")
            for ex in iter_classification(root / f"{split}.tsv", id_field="index_id")
        }

    en, xx = read("eng_Latn"), read(flores)
    pairs = []
    for key in sorted(set(en) & set(xx), key=lambda k: int(k) if k.isdigit() else 0):
        a, b = tuple(tokenize(en[key])), tuple(tokenize(xx[key]))
        pairs.append(SentencePair(a, b, key) if english_first else SentencePair(b, a, key))
    return pairs


def pud_pairs(treebank: str | None, english_first: bool = True):
    """UD PUD sentences of English and another language, joined by sent_id (surface tokens)."""
    from xlt.io.conllu import iter_conllu
    from xlt.types import SentencePair

    if treebank is None:
        return []
    root = data_root() / "ud"
    code = {"Spanish": "es", "Italian": "it", "Portuguese": "pt", "French": "fr", "German": "de"}[treebank]
    en = {
        s.sent_id: s.surface_tokens() for s in iter_conllu(root / "UD_English-PUD" / "en_pud-ud-test.conllu")
    }
    xx = {
        s.sent_id: s.surface_tokens()
        for s in iter_conllu(root / f"UD_{treebank}-PUD" / f"{code}_pud-ud-test.conllu")
    }
    out = []
    for k in sorted(set(en) & set(xx)):
        a, b = tuple(en[k]), tuple(xx[k])
        out.append(SentencePair(a, b, k) if english_first else SentencePair(b, a, k))
    return out


def load(name: str):
    """(test pairs, gold alignments, training-only pairs) of one dataset."""
    from xlt.io.pharaoh import read_gold_alignment_set, read_xlwa

    root = data_root() / "alignment"
    if name.startswith("xlwa-"):
        lang = name.split("-")[1]
        test = read_xlwa(root / "xl-wa" / lang / "test.tsv")
        train_only = [
            p for split in ("train", "dev") for p, _ in read_xlwa(root / "xl-wa" / lang / f"{split}.tsv")
        ]
    elif name == "hansards-fr":
        d = root / "en-fr_hansards_naacl2003"
        test, train_only = read_gold_alignment_set(d / "enfr.src-tgt", d / "enfr.gold"), []
    elif name == "wpt-ro":
        d = root / "ro-en_wpt2003"
        test, train_only = read_gold_alignment_set(d / "roen.src-tgt", d / "roen.gold"), []
    else:
        raise SystemExit(f"unknown dataset {name}")
    return [p for p, _ in test], [a for _, a in test], train_only


def extra_pairs(name: str):
    _, flores, pud, en_first = DATASETS[name]
    return sib_pairs(flores, en_first) + pud_pairs(pud, en_first)


def dictionary_for(name: str) -> tuple[Path, bool]:
    lang, *_, en_first = DATASETS[name]
    return data_root() / "dictionaries" / "muse_full_hunalign" / f"en-{lang}.dict", not en_first


def run_variant(name: str, variant: str, pairs, gold, train_only, *, n_samplers: int = 3) -> dict:
    from xlt.alignment import aligners
    from xlt.alignment.metrics import alignment_scores
    from xlt.alignment.symmetrize import symmetrize
    from xlt.types import Alignment

    cfg: dict = {"n_samplers": n_samplers}
    extra = list(train_only)
    if "extra" in variant:
        extra += extra_pairs(name)
    if "dict" in variant:
        path, swap = dictionary_for(name)
        cfg.update(dictionary=str(path), dictionary_swap=swap)
    aligner = aligners.build("eflomal", cfg)
    t0 = time.perf_counter()
    directional = aligner.align_directional(pairs, extra=extra)
    seconds = time.perf_counter() - t0
    out = {"train_pairs": len(pairs) + len(extra), "seconds": round(seconds, 1), "scores": {}}
    for sym in SYMS:
        pred = [Alignment(sure=frozenset(symmetrize(f, r, sym))) for f, r in directional]
        sc = alignment_scores(pred, gold)
        out["scores"][sym] = {k: round(100 * sc[k], 2) for k in ("aer", "precision", "recall", "f1")}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--variants", default="base,extra,dict,extra+dict")
    ap.add_argument("--n-samplers", type=int, default=3)
    args = parse_args(ap, argv)
    if not have_data():
        return 0
    results: dict = {}
    for name in args.datasets.split(","):
        pairs, gold, train_only = load(name)
        results[name] = {"test_pairs": len(pairs)}
        for variant in args.variants.split(","):
            res = run_variant(name, variant, pairs, gold, train_only, n_samplers=args.n_samplers)
            results[name][variant] = res
            g = res["scores"]["grow-diag-final-and"]
            print(
                f"{name:12} {variant:11} train={res['train_pairs']:5d} gdfa AER {g['aer']:.1f} "
                f"F1 {g['f1']:.1f} ({res['seconds']}s)",
                file=sys.stderr,
                flush=True,
            )
            save(results, args)
    if not finish(results, args):
        for name, res in results.items():
            for variant in args.variants.split(","):
                row = "  ".join(f"{SHORT[s]}={res[variant]['scores'][s]['aer']:.1f}" for s in SYMS)
                print(f"{name:12} {variant:11} AER  {row}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
