"""Speed of align + symmetrize + project against calling eflomal alone, and peak memory.

Corpora: the English (WEB) - Swahili New Testament joined by verse id (~7.9k pairs), and a larger
corpus of English against several NT Bibles concatenated (``--big``, >= 30k pairs). For each corpus
the same run first times eflomal alone (``eflomal.Aligner.align`` on the same token lines, writing
its link files), then xlt's pipeline: ``aligners.build("eflomal").align`` (input preparation,
eflomal, link parsing, grow-diag-final-and) followed by span projection of synthetic BIO labels
(capitalised English words as one-token entities; the labels only exercise the projector).
The overhead ratio is xlt's total time over eflomal's; ``overhead_ratio_inside`` divides by the
time of the eflomal call inside xlt's own run instead, which removes eflomal's run-to-run variation
(its sampler is unseeded and the machine is shared). Peak memory is the maximum resident set
size of this process and of the eflomal child process (getrusage).

    nice -n 10 python benchmarks/align_speed.py --out align_speed.json [--big Zulu,Wolof,Ewe]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from alignment import data_root, finish, have_data, parse_args, save


def bible_pairs(langs: list[str]):
    from xlt.io.parallel import read_bible_pair

    bible = data_root() / "bible"
    pairs = []
    for lang in langs:
        p, _ = read_bible_pair(bible / "English-WEB.verses.tsv", bible / f"{lang}-NT.xml")
        pairs.extend(x for x in p if x.src and x.tgt)
    return pairs


def synthetic_source(pairs):
    from xlt.types import LabeledSentence, Sentence

    src = [
        LabeledSentence(p.src, tuple("B-X" if k and t[:1].isupper() else "O" for k, t in enumerate(p.src)))
        for p in pairs
    ]
    return src, [Sentence(p.tgt) for p in pairs]


def eflomal_alone(pairs, n_samplers: int) -> float:
    from eflomal import Aligner

    aligner = Aligner(n_samplers=n_samplers)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        aligner.align(
            (" ".join(p.src) + "\n" for p in pairs),
            (" ".join(p.tgt) + "\n" for p in pairs),
            links_filename_fwd=f"{tmp}/f",
            links_filename_rev=f"{tmp}/r",
        )
    return time.perf_counter() - t0


def xlt_pipeline(pairs, n_samplers: int) -> dict[str, float]:
    from xlt.alignment import aligners
    from xlt.projection import projectors

    src, tgt = synthetic_source(pairs)
    aligner = aligners.build("eflomal", {"n_samplers": n_samplers, "symmetrize": "grow-diag-final-and"})
    t0 = time.perf_counter()
    alignments = aligner.align(pairs)
    t1 = time.perf_counter()
    projected = projectors.build("spans", {}).project(src, tgt, alignments)
    t2 = time.perf_counter()
    assert len(projected) == len(pairs)
    return {
        "align_seconds": t1 - t0,
        "eflomal_inside_seconds": aligner.eflomal_seconds_,
        "project_seconds": t2 - t1,
        "total_seconds": t2 - t0,
    }


def measure(name: str, pairs, n_samplers: int) -> dict:
    base = eflomal_alone(pairs, n_samplers)
    ours = xlt_pipeline(pairs, n_samplers)
    row = {
        "pairs": len(pairs),
        "eflomal_seconds": round(base, 2),
        **{k: round(v, 2) for k, v in ours.items()},
        "pairs_per_second": round(len(pairs) / ours["total_seconds"], 1),
        "eflomal_pairs_per_second": round(len(pairs) / base, 1),
        "overhead_ratio": round(ours["total_seconds"] / base, 3),
        # the same ratio against the eflomal call inside xlt's own run (immune to run-to-run variation)
        "overhead_ratio_inside": round(ours["total_seconds"] / ours["eflomal_inside_seconds"], 3),
        "peak_rss_mib_python": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_mib_eflomal": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }
    print(f"{name}: {json.dumps(row)}", file=sys.stderr, flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-samplers", type=int, default=1)
    ap.add_argument(
        "--big", default="Swahili,Zulu,Wolof,Ewe", help="NT Bibles joined with English for the big run."
    )
    ap.add_argument("--skip-big", action="store_true")
    args = parse_args(ap, argv)
    if not have_data():
        return 0
    results = {"n_samplers": args.n_samplers}
    results["eng-swa"] = measure("eng-swa", bible_pairs(["Swahili"]), args.n_samplers)
    save(results, args)
    if not args.skip_big:
        langs = args.big.split(",")
        results["eng-" + "+".join(langs)] = measure("big", bible_pairs(langs), args.n_samplers)
    if not finish(results, args):
        for name, row in results.items():
            if isinstance(row, dict):
                print(
                    f"{name}: {row['pairs']} pairs, {row['pairs_per_second']} pairs/s, overhead "
                    f"{row['overhead_ratio']}x eflomal, peak RSS {row['peak_rss_mib_python']} MiB (python) / "
                    f"{row['peak_rss_mib_eflomal']} MiB (eflomal)"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
