"""Train the packaged NER transfer-language ranker shipped in ``src/xlt/resources/rankers/ner``.

It is a LambdaRank model (default ``lambdarank`` config: URIEL, geography, genealogy, script and
imputation features plus the learned source prior) trained on every target column of the
MasakhaNER 2.0 zero-shot transfer table (Adelani et al. 2022), 42 sources × 38 targets.
Only typology features are used, so predictions need no text samples and run offline.

Since issue 13 the configuration and the weights' temperature come from the generalisation
benchmark (``benchmarks/ranking.py --suite generalise --out gen.json``): the candidate with the
best leave-one-target-out NDCG@3 over all 38 targets, and the temperature that maximises the
Plackett–Luce likelihood of the held-out top-3 on the 22 non-African targets. A text-only
companion model (text + model similarity features, from the packaged ``langsim.json.gz``) is
trained alongside for targets URIEL does not know.

Usage: python scripts/train_packaged_ranker.py --from-benchmark gen.json [--table ...transfer_ranks.csv]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from xlt.io.tables import read_transfer_table
from xlt.paths import data_root
from xlt.ranking.evaluate import calibrate_relevance, calibrate_temperature
from xlt.ranking.learned import LambdaRankConfig, LambdaRankRanker

OUT = Path(__file__).resolve().parents[1] / "src" / "xlt" / "resources" / "rankers" / "ner"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--table", type=Path, default=None, help="transfer table (default: shared MasakhaNER2 ranks)"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--from-benchmark", type=Path, default=None, help="gen.json of benchmarks/ranking.py")
    ap.add_argument(
        "--from-ranker",
        type=Path,
        default=None,
        help="ranker.json whose config and temperature to keep (e.g. the packaged one)",
    )
    args = ap.parse_args()
    import json

    config: dict = {}
    temperature = 1.0
    if args.from_benchmark:
        report = json.loads(args.from_benchmark.read_text(encoding="utf-8"))
        config, temperature = dict(report["default_config"]), float(report["temperature"])
    elif args.from_ranker:
        meta = json.loads(args.from_ranker.read_text(encoding="utf-8"))
        config, temperature = dict(meta["config"]), float(meta["temperature"])
        config.pop("method", None)
    table_path = args.table or data_root() / "masakhaner2" / "transfer_ranks.csv"
    table = read_transfer_table(table_path)
    cfg = LambdaRankConfig(**config)
    ranker = LambdaRankRanker(cfg).fit(table)
    ranker.temperature_ = temperature
    # the voting weights: calibrated on the same 22 non-African dev targets as the choice
    # temperature, out of fold, on the pair part of the score: a map to expected relevance
    # (isotonic), and a softmax temperature (Plackett-Luce likelihood of the top-3) for --temperature
    african = {p.name for p in (data_root() / "masakhaner2").iterdir() if p.is_dir()}
    dev = [t for t in table.targets if str(t) not in african]
    ranker.vote_temperature_, loglik = calibrate_temperature(
        table, lambda: LambdaRankRanker(cfg), targets=dev, score=lambda r, ranked: r.vote_scores(ranked)
    )
    ranker.vote_calibration_ = list(
        calibrate_relevance(
            table, lambda: LambdaRankRanker(cfg), targets=dev, score=lambda r, ranked: r.vote_scores(ranked)
        )
    )
    print(f"voting weights: expected relevance, {len(ranker.vote_calibration_[0])} isotonic knots")
    print(f"vote temperature {ranker.vote_temperature_} (dev log-likelihood per T: {loglik})")
    print(f"source-level terms (left out of the voting weights): {ranker.source_level_}")
    # record the table by name and hash only (no machine-specific absolute path)
    ranker.table_path_ = os.path.join("masakhaner2", Path(table_path).name)
    ranker.save(
        args.out,
        extra={
            "task": "ner",
            "trained_by": "scripts/train_packaged_ranker.py",
            "chosen_by": "best leave-one-target-out NDCG@3 over all 38 targets (benchmarks/ranking.py --suite generalise)",
            "source": "MasakhaNER 2.0 zero-shot transfer ranks (Adelani et al. 2022), CC BY-NC 4.0",
        },
    )
    print(f"trained on {ranker.n_targets_} targets x {len(table.sources)} sources -> {args.out}")
    for name, gain in sorted(ranker.feature_importance().items(), key=lambda kv: -kv[1]):
        print(f"  {name:<20} gain {gain:9.1f}")


if __name__ == "__main__":
    main()
