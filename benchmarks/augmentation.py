"""Code-switching and transliteration with a real encoder, side by side on the same seeds (issue 14).

Two experiments, both zero-shot from English with xlt's ``transformers`` backend (``xlt finetune``
configs: :class:`xlt.finetuning.experiment.FinetuneRunConfig`):

* ``sib`` — SIB-200 topic classification. The English train set alone (``plain``) against the same
  set plus one CoSDA-ML code-switched copy (``codeswitch``: each word with a dictionary entry is
  replaced, with probability ``--rate``, by a translation into one of ``CS_SIB`` languages, the
  shared Wiktionary/MUSE English↔X dictionaries). Every SIB-200 language's test set is scored, so
  the gain is reported separately for the languages whose dictionaries were used and for the
  others. The ``plain`` model of the first seed also scores every non-Latin language romanised
  with uroman (``transliterate: uroman`` on the target), on dev and on test, next to its native
  script, with each language's share of words the tokenizer cannot spell (``[UNK]``): the rule
  "romanise a target when more than ``--max-unknown`` of its words are unknown" is read on dev.
* ``ner`` — MasakhaNER 2.0 from English (UNER English-EWT train, PER/ORG/LOC). ``plain`` against
  code-switching into the MasakhaNER languages that have a dictionary (``CS_NER``), every word
  (``codeswitch``) or entity words only (``codeswitch-entities``, EntityCS-like). Targets are
  scored on PER/ORG/LOC (their DATE spans are relabelled O, since the English source has no DATE).

    python benchmarks/augmentation.py --model models/me5-small --part sib --seeds 0,1 --out aug-sib.json
    python benchmarks/augmentation.py --model models/me5-small --part ner --out aug-ner.json

The language lists were fixed before any run, by principle (low-resource languages from many
families and scripts that have a dictionary), not chosen on results.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

#: SIB-200 languages whose dictionaries supply the code-switched words: 16 lower-resource
#: languages, 8 families, 6 scripts
CS_SIB = [
    "hau_Latn", "yor_Latn", "ibo_Latn", "wol_Latn", "zul_Latn", "som_Latn", "kab_Latn", "grn_Latn",
    "mri_Latn", "smo_Latn", "amh_Ethi", "tir_Ethi", "mya_Mymr", "lao_Laoo", "tel_Telu", "kat_Geor",
]  # fmt: skip
#: MasakhaNER 2.0 languages with a shared English↔X dictionary
CS_NER = ["hau", "yor", "ibo", "swa", "xho", "bam", "fon", "luo", "pcm", "sna", "wol"]
SOURCE = "eng_Latn"
UNER_EN = "shared:uner/UNER_English-EWT/en_ewt-ud-{}.iob2.gz"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="encoder to fine-tune (path or hub id)")
    ap.add_argument("--part", choices=("sib", "ner", "both"), default="both")
    ap.add_argument("--seeds", default="0", help="comma-separated training seeds (each variant)")
    ap.add_argument("--rate", type=float, default=0.3, help="code-switching rate (xlt's default)")
    ap.add_argument("--sib-steps", type=int, default=300)
    ap.add_argument("--ner-steps", type=int, default=600)
    ap.add_argument("--ner-test-limit", type=int, default=300, help="target test sentences (NER)")
    ap.add_argument("--languages", default=None, help="SIB-200 codes to score (default: all)")
    ap.add_argument("--max-unknown", type=float, default=0.2, help="the romanisation rule's bar")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/xlt-augmentation")
    ap.add_argument("--out", default=None)
    ap.add_argument("--format", choices=("text", "json"), default="text")
    return ap.parse_args(argv)


def _run(training: dict, sources, targets, augment=None, seed: int = 0) -> tuple[dict[str, float], dict]:
    """Main-variant score per target (the task's primary metric) and the report."""
    from xlt.finetuning.config import FinetuneConfig
    from xlt.finetuning.experiment import FinetuneRunConfig
    from xlt.finetuning.trainer import main_score
    from xlt.pipeline.finetune import run_transfer

    cfg = FinetuneRunConfig(
        training=FinetuneConfig(**training, seed=seed),
        sources=sources,
        targets=targets,
        augment=augment or [],
        seeds=[seed],
        report_variants=False,
    )
    t0 = time.perf_counter()
    report = run_transfer(cfg)
    scores = {r["target"]: main_score(training["task"], r["metrics"]) for r in report["results"] if r["main"]}
    report["seconds"] = round(time.perf_counter() - t0, 1)
    return scores, report


def _save_partial(args, part: str, data: dict) -> None:
    """Every finished run's raw scores, so a later failure loses nothing (``--out`` + ``.partial``)."""
    if args.out:
        path = Path(f"{args.out}.{part}.partial")
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _mean_se(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return {"n": len(values), "mean": round(statistics.fmean(values), 4), "se": round(se, 4)}


def _paired(a: dict[str, float], b: dict[str, float], langs: list[str]) -> dict[str, float]:
    """Mean of b - a over ``langs`` with its standard error, and how many b wins."""
    diffs = [b[x] - a[x] for x in langs if x in a and x in b]
    out = _mean_se(diffs)
    out["wins"] = sum(d > 0 for d in diffs)
    out["losses"] = sum(d < 0 for d in diffs)
    return out


def sib_part(args, seeds: list[int]) -> dict:
    from transformers import AutoTokenizer

    from xlt.finetuning.corpora import resolve_data_path
    from xlt.finetuning.experiment import DataSpec
    from xlt.models.coverage import unknown_word_share
    from xlt.pipeline.finetune import read_labelled

    def f(lang: str, split: str) -> str:
        return f"shared:sib200/annotated/{lang}/{split}.tsv"

    root = Path(resolve_data_path("shared:sib200/annotated"))
    langs = args.languages.split(",") if args.languages else sorted(p.name for p in root.iterdir())
    non_latin = [x for x in langs if not x.endswith("_Latn")]
    tok = AutoTokenizer.from_pretrained(args.model)
    unknown = {
        x: unknown_word_share(tok, (e.text.split() for e in read_labelled(f(x, "dev"), "classification")))[
            "unknown_word_share"
        ]
        for x in non_latin
    }
    training = dict(model=args.model, task="classification", max_steps=args.sib_steps, eval_every=25)
    sources = [DataSpec(lang=SOURCE, train=f(SOURCE, "train"), dev=f(SOURCE, "dev"))]
    tests = [DataSpec(lang=x, test=f(x, "test")) for x in langs]
    translit = [
        DataSpec(
            lang=f"{x}|{split}{'|rom' if rom else ''}",
            test=f(x, split),
            transliterate="uroman" if rom else None,
        )
        for x in non_latin
        for split in ("dev", "test")
        for rom in (False, True)
        if (split, rom) != ("test", False)  # the native test set is scored with the rest
    ]
    cs = [{"method": "codeswitch", "languages": CS_SIB, "rate": args.rate}]
    runs: dict[str, dict[int, dict[str, float]]] = {"plain": {}, "codeswitch": {}}
    meta: dict[str, dict] = {}
    for seed in seeds:
        for variant in ("plain", "codeswitch"):
            targets = tests + (translit if (variant, seed) == ("plain", seeds[0]) else [])
            scores, report = _run(training, sources, targets, cs if variant == "codeswitch" else None, seed)
            runs[variant][seed] = scores
            meta[f"{variant}/{seed}"] = {"seconds": report["seconds"], "augment": report["augment"]}
            print(f"[sib] {variant} seed {seed}: {report['seconds']} s", file=sys.stderr, flush=True)
            _save_partial(args, "sib", {"runs": runs, "meta": meta, "unknown": unknown})

    def seed_mean(variant: str) -> dict[str, float]:
        keys = set.intersection(
            *(set(runs[variant][s]) for s in seeds)
        )  # the romanised sets: first seed only
        return {k: statistics.fmean(runs[variant][s][k] for s in seeds) for k in sorted(keys)}

    plain, switched = seed_mean("plain"), seed_mean("codeswitch")
    targets = [x for x in langs if x != SOURCE]
    used = [x for x in targets if x in CS_SIB]
    other = [x for x in targets if x not in CS_SIB]
    first = runs["plain"][seeds[0]]
    rom_rows = {
        x: {
            "unknown_word_share": unknown[x],
            "dev": first[f"{x}|dev"],
            "dev_rom": first[f"{x}|dev|rom"],
            "test": first[x],
            "test_rom": first[f"{x}|test|rom"],
        }
        for x in non_latin
    }
    rule = [x for x in non_latin if unknown[x] > args.max_unknown]

    def choice(split: str, picked: list[str]) -> float:
        return statistics.fmean(rom_rows[x][f"{split}_rom" if x in picked else split] for x in non_latin)

    return {
        "seeds": seeds,
        "codeswitch_languages": CS_SIB,
        "rate": args.rate,
        "runs": meta,
        "codeswitch": {
            "plain_all": _mean_se([plain[x] for x in targets]),
            "codeswitch_all": _mean_se([switched[x] for x in targets]),
            "gain_all": _paired(plain, switched, targets),
            "gain_dictionary_languages": _paired(plain, switched, used),
            "gain_other_languages": _paired(plain, switched, other),
            "english": {"plain": plain.get(SOURCE), "codeswitch": switched.get(SOURCE)},
            "per_language": {x: {"plain": plain[x], "codeswitch": switched[x]} for x in langs},
        },
        "transliteration": {
            "scheme": "uroman",
            "seed": seeds[0],
            "max_unknown": args.max_unknown,
            "romanised_by_rule": rule,
            "mean_non_latin": {
                split: {
                    "native": choice(split, []),
                    "romanised": choice(split, non_latin),
                    "rule": choice(split, rule),
                    "oracle_per_language": statistics.fmean(
                        max(rom_rows[x][split], rom_rows[x][f"{split}_rom"]) for x in non_latin
                    ),
                }
                for split in ("dev", "test")
            },
            "rule_languages": {
                split: _paired(
                    {x: rom_rows[x][split] for x in rule},
                    {x: rom_rows[x][f"{split}_rom"] for x in rule},
                    rule,
                )
                for split in ("dev", "test")
            },
            "per_language": rom_rows,
        },
    }


def ner_part(args, seeds: list[int]) -> dict:
    from xlt.finetuning.corpora import resolve_data_path
    from xlt.finetuning.experiment import DataSpec
    from xlt.io.conll import write_conll
    from xlt.pipeline.finetune import read_labelled
    from xlt.types import LabeledSentence

    root = Path(resolve_data_path("shared:masakhaner2"))
    langs = sorted(
        p.name for p in root.iterdir() if (p / "test.txt.gz").exists() or (p / "test.txt").exists()
    )
    work = Path(args.workdir) / "ner"
    work.mkdir(parents=True, exist_ok=True)
    tests = []
    for x in langs:  # PER/ORG/LOC only: the English source has no DATE
        data = read_labelled(f"shared:masakhaner2/{x}/test.txt", "ner", limit=args.ner_test_limit)
        relabelled = [
            LabeledSentence(s.tokens, tuple("O" if lab.endswith("DATE") else lab for lab in s.labels), s.id)
            for s in data
        ]
        path = work / f"{x}.test.txt"
        write_conll(relabelled, path)
        tests.append(DataSpec(lang=x, test=str(path)))
    training = dict(model=args.model, task="ner", max_steps=args.ner_steps, eval_every=100)
    sources = [
        DataSpec(
            lang="eng",
            train=UNER_EN.format("train.2022-12-02-prerelease"),
            dev=UNER_EN.format("dev"),
            dev_limit=500,
        )
    ]
    variants = {
        "plain": None,
        "codeswitch": [{"method": "codeswitch", "languages": CS_NER, "rate": args.rate}],
        "codeswitch-entities": [
            {"method": "codeswitch", "languages": CS_NER, "rate": args.rate, "scope": "entities"}
        ],
    }
    runs: dict[str, dict[int, dict[str, float]]] = {v: {} for v in variants}
    meta = {}
    for seed in seeds:
        for name, aug in variants.items():
            scores, report = _run(training, sources, tests, aug, seed)
            runs[name][seed] = scores
            meta[f"{name}/{seed}"] = {"seconds": report["seconds"], "augment": report["augment"]}
            print(f"[ner] {name} seed {seed}: {report['seconds']} s", file=sys.stderr, flush=True)
            _save_partial(args, "ner", {"runs": runs, "meta": meta})
    mean = {v: {x: statistics.fmean(runs[v][s][x] for s in seeds) for x in langs} for v in variants}
    used = [x for x in langs if x in CS_NER]
    other = [x for x in langs if x not in CS_NER]
    return {
        "seeds": seeds,
        "codeswitch_languages": CS_NER,
        "rate": args.rate,
        "runs": meta,
        "mean": {v: _mean_se(list(mean[v].values())) for v in variants},
        "gain": {
            v: {
                "all": _paired(mean["plain"], mean[v], langs),
                "dictionary_languages": _paired(mean["plain"], mean[v], used),
                "other_languages": _paired(mean["plain"], mean[v], other),
            }
            for v in variants
            if v != "plain"
        },
        "per_language": {x: {v: round(mean[v][x], 4) for v in variants} for x in langs},
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",")]
    out: dict = {"model": args.model, "threads": args.threads}
    if args.part in ("sib", "both"):
        out["sib"] = sib_part(args, seeds)
    if args.part in ("ner", "both"):
        out["ner"] = ner_part(args, seeds)
    text = json.dumps(out, indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    if args.format == "json":
        print(text)
    else:
        for part in ("sib", "ner"):
            if part in out:
                summary = {k: v for k, v in out[part].items() if k not in ("per_language", "runs")}
                if part == "sib":
                    summary["codeswitch"] = {
                        k: v for k, v in summary["codeswitch"].items() if k != "per_language"
                    }
                    summary["transliteration"] = {
                        k: v for k, v in summary["transliteration"].items() if k != "per_language"
                    }
                print(f"== {part}\n{json.dumps(summary, indent=2, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
