"""Build ``src/xlt/resources/rankers/langsim.json.gz``: text- and model-based language similarities.

For every language with FLORES-200 text (SIB-200, all 1,004 sentences), a Bible (fallback), or
an extra text sample (``--samples DIR`` of ``<code>.txt``, e.g. NER training text for languages
FLORES lacks, such as pcm and bbj), a text profile is built (character trigrams, words, subword
tokens under the encoder's tokenizer, scripts). For the SIB-200 languages the encoder embeds the
same ``--sentences`` FLORES sentences (mean pooling, every layer) once, single-threaded; pair
features are then computed against every language of the transfer table (the candidate sources).

    python scripts/build_language_similarity.py [--model /work/models/me5-small] [--sentences 100] \
        [--samples DIR] [--cache emb.npz] [--out src/xlt/resources/rankers/langsim.json.gz]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "xlt" / "resources" / "rankers" / "langsim.json.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=Path("/work/models/me5-small"))
    ap.add_argument("--sentences", type=int, default=100)
    ap.add_argument("--samples", type=Path, default=None, help="DIR of <code>.txt extra monolingual text")
    ap.add_argument("--cache", type=Path, default=None, help="npz cache of the per-language embeddings")
    ap.add_argument("--details", type=Path, default=None, help="write per-layer cosines (JSON) here")
    ap.add_argument("--top", type=int, default=800)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    from xlt.io.tables import read_transfer_table
    from xlt.languages.codes import resolve as resolve_language
    from xlt.paths import data_root
    from xlt.ranking.base import load_samples
    from xlt.ranking.langsim import LanguageSimilarity, model_pair_features, text_pair_features
    from xlt.ranking.text import TextProfile, find_text, load_tokenizer
    from xlt.types import Lang

    root = data_root()
    sib, bible = root / "sib200", root / "bible"
    table = read_transfer_table(root / "masakhaner2" / "transfer_ranks.csv")
    table_langs = list(dict.fromkeys([*table.sources, *table.targets]))
    sources = sorted({lang.code for lang in table_langs})
    langs: dict[str, Lang] = {lang.code: lang for lang in table_langs}
    for d in sorted((sib / "annotated").iterdir()):
        if d.is_dir():
            lang = resolve_language(d.name)
            langs.setdefault(lang.code, Lang(lang.code))
    extra = load_samples(args.samples, max_lines=1000) if args.samples else {}
    tokenizer = load_tokenizer(args.model) if args.model.is_dir() else None
    tok_name = args.model.name if tokenizer is not None else None

    t0 = time.perf_counter()
    profiles: dict[str, TextProfile] = {}
    provenance: dict[str, str] = {}
    parallel: dict[str, dict[str, str]] = {}
    for code, lang in sorted(langs.items()):
        prov, rows = find_text(lang, sib200=sib, bible=bible)
        if not rows and lang in extra:
            prov, rows = "samples", {str(i): t for i, t in enumerate(extra[lang])}
        if not rows:
            continue
        texts = list(rows.values())[:1004] if not prov.startswith("sib200") else list(rows.values())
        profiles[code] = TextProfile.from_texts(
            texts, tokenizer=tokenizer, tokenizer_name=tok_name, top=args.top
        )
        provenance[code] = prov
        if prov.startswith("sib200"):
            parallel[code] = rows
    print(f"profiles of {len(profiles)} languages in {time.perf_counter() - t0:.0f}s", flush=True)

    pairs = text_pair_features(profiles, sorted(profiles), sources)
    details: dict = {}
    if args.model.is_dir():
        common = set.intersection(*(set(r) for r in parallel.values()))
        ids = sorted(common, key=lambda s: (int(s) if s.isdigit() else 10**9, s))[: args.sentences]
        emb: dict[str, np.ndarray] = {}
        if args.cache and args.cache.is_file():
            with np.load(args.cache) as z:
                emb = {k: z[k] for k in z.files}
        from xlt.evaluation.mexa import LayerEmbedder

        embedder = LayerEmbedder(
            str(args.model),
            pooling="mean",
            batch_size=16,
            max_length=128,
            device="cpu",
            include_embeddings=True,
        )
        t0 = time.perf_counter()
        for i, code in enumerate(sorted(parallel)):
            if code not in emb:
                emb[code] = embedder.embed([parallel[code][j] for j in ids]).astype(np.float32)
            if i % 20 == 0:
                print(f"  embedded {i + 1}/{len(parallel)} ({time.perf_counter() - t0:.0f}s)", flush=True)
        if args.cache:
            np.savez_compressed(args.cache, **emb)
        model_pairs, details = model_pair_features(emb, sorted(emb), sources)
        pairs.update(model_pairs)
        print(f"model features in {time.perf_counter() - t0:.0f}s", flush=True)
    meta = {
        "built_by": "scripts/build_language_similarity.py",
        "model": args.model.name if args.model.is_dir() else None,
        "tokenizer": tok_name,
        "sentences_embedded": args.sentences,
        "pooling": "mean",
        "top": args.top,
        "text": "SIB-200 / FLORES-200 (CC BY-SA 4.0); Bible corpus (CC0); extra samples",
        "provenance": provenance,
    }
    LanguageSimilarity(pairs, {k: p for k, p in profiles.items() if k in sources}, meta).save(args.out)
    if args.details:
        import json

        args.details.write_text(json.dumps(details) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
