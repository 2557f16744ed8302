"""Candidate-based span projection (T-Projection style, ``translation_projectors: candidates``) on
real parallel NER gold, scored like ``benchmarks/projection.py`` (strict IOB2 span F1).

The "translations" are the gold target sentences, so this measures the projection step alone:
English gold spans of the Europarl NER set (Agerri et al. 2018; de, es, it, 799 sentences each)
and of UNER PUD (de, pt; 1,000 sentences, reported as dev) are placed on the target tokens by the
encoder's span similarity only (no translation model is available offline, so
``translation_weight`` has nothing to mix in). Settings are the projector's defaults, fixed by
principle before this run (candidates up to the span's length + 2 words, no minimum score).

    python benchmarks/candidate_projection.py --encoder models/me5-small --out cand.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from projection import europarl, uner_pud


def run(projector, source, target) -> dict:
    from xlt.evaluation.metrics import span_prf
    from xlt.languages import resolve

    t0 = time.perf_counter()
    out = projector.project(
        source, None, resolve("eng"), resolve("eng"), translations=[list(t.tokens) for t in target]
    )
    seconds = time.perf_counter() - t0
    by_id = {s.meta.get("source_id"): s for s in out}
    pred = [
        list(by_id[s.id].labels) if s.id in by_id else ["O"] * len(t)
        for s, t in zip(source, target, strict=True)
    ]
    prf = span_prf([list(t.labels) for t in target], pred)
    return {
        "f1": round(100 * prf["f1"], 1),
        "precision": round(100 * prf["precision"], 1),
        "recall": round(100 * prf["recall"], 1),
        "sentences": len(source),
        "seconds": round(seconds, 1),
        "spans": projector.stats_["spans"],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoder", required=True, help="encoder for the span similarity (path or hub id)")
    ap.add_argument("--langs", default="de,es,it")
    ap.add_argument("--dev", default="German,Portuguese", help="UNER PUD targets (dev)")
    ap.add_argument("--set", action="append", default=[], help="projector option KEY=VALUE")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    import torch
    import yaml

    from xlt.translation import translation_projectors

    torch.set_num_threads(args.threads)
    options = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    # every source sentence keeps its output: a lost span is scored as a miss, not dropped
    proj = translation_projectors.build("candidates", encoder=args.encoder, keep_partial=True, **options)
    results: dict = {"encoder": args.encoder, "options": options, "dev": {}, "europarl": {}}
    if args.dev:
        en = uner_pud("English")
        for lang in args.dev.split(","):
            results["dev"][lang] = run(proj, en, uner_pud(lang))
            print(f"dev PUD en->{lang}: {results['dev'][lang]}", file=sys.stderr, flush=True)
    en = europarl("en")
    for lang in args.langs.split(","):
        results["europarl"][lang] = run(proj, en, europarl(lang))
        print(f"europarl en->{lang}: {results['europarl'][lang]}", file=sys.stderr, flush=True)
    f1s = [r["f1"] for r in results["europarl"].values()]
    results["europarl_mean_f1"] = round(sum(f1s) / len(f1s), 1) if f1s else None
    text = json.dumps(results, indent=2)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
