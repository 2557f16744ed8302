"""How closely raw-text tokenization matches UD's, with and without ``projection.match_tokenization``.

For every shared UD treebank with a test set and another split to learn from (dev, else train),
the test sentences' ``# text`` lines are tokenized (1) by the standard tokenizer
(:func:`xlt.io.tokenize.tokenize`) and (2) by a :class:`~xlt.projection.tokenization.TokenMatcher`
learned from the *other* split's surface tokens (inductive: the scored split is never read), and
each is compared with the gold surface tokens (multiword tokens whole) by character span: token
F1. Sentences whose text does not spell the gold tokens are skipped and counted.

    python benchmarks/tokenization_match.py --out tokenization_match.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alignment import data_root, finish, have_data, parse_args, save


def _spans(tokens: list[str] | tuple[str, ...]) -> tuple[set[tuple[int, int]], str]:
    """Token spans over the text with spaces removed, and that text."""
    spans, pos = set(), 0
    for t in tokens:
        t = t.replace(" ", "")
        spans.add((pos, pos + len(t)))
        pos += len(t)
    return spans, "".join(t.replace(" ", "") for t in tokens)


def token_f1(path: Path, tokenizer) -> tuple[float, int, int]:
    """(span F1 of ``tokenizer`` against the gold surface tokens, sentences scored, skipped)."""
    from xlt.io.conllu import iter_conllu

    tp = fp = fn = used = skipped = 0
    for sent in iter_conllu(path):
        if not sent.text:
            skipped += 1
            continue
        gold, gold_text = _spans(sent.surface_tokens())
        pred, pred_text = _spans(tokenizer(sent.text))
        if gold_text != pred_text:
            skipped += 1
            continue
        used += 1
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    return (2 * tp / (2 * tp + fp + fn) if tp else 0.0), used, skipped


def main(argv: list[str] | None = None) -> int:
    from xlt.io.conllu import iter_conllu
    from xlt.io.tokenize import tokenize
    from xlt.projection.tokenization import learn_token_matcher

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--treebanks", nargs="+", help="UD_<name> directories (default: every shared one).")
    args = parse_args(ap, argv)
    if not have_data():
        return 0
    results: dict = {"treebanks": {}}
    dirs = sorted((data_root() / "ud").glob("UD_*"))
    if args.treebanks:
        dirs = [d for d in dirs if d.name.removeprefix("UD_") in args.treebanks or d.name in args.treebanks]
    for d in dirs:
        test = sorted(d.glob("*-ud-test.conllu*"))
        learn = sorted(d.glob("*-ud-dev.conllu*")) or sorted(d.glob("*-ud-train*.conllu*"))
        if not test or not learn:
            continue
        matcher = learn_token_matcher(iter_conllu(learn[0]))
        base, used, skipped = token_f1(test[0], tokenize)
        matched, _, _ = token_f1(test[0], matcher.tokenize)
        name = d.name.removeprefix("UD_")
        results["treebanks"][name] = {
            "learned_from": learn[0].name,
            "standard_f1": round(base, 4),
            "matched_f1": round(matched, 4),
            "sentences": used,
            "skipped": skipped,
            "rules": matcher.to_dict(),
        }
        save(results, args)
    rows = results["treebanks"]
    if rows:
        results["mean"] = {
            k: round(sum(r[k] for r in rows.values()) / len(rows), 4) for k in ("standard_f1", "matched_f1")
        }
    if finish(results, args):
        return 0
    print(f"{'treebank':28s} {'standard':>8s} {'matched':>8s}  sentences (skipped)")
    for name, r in sorted(rows.items(), key=lambda kv: kv[1]["matched_f1"] - kv[1]["standard_f1"]):
        print(
            f"{name:28s} {100 * r['standard_f1']:8.1f} {100 * r['matched_f1']:8.1f}  {r['sentences']} ({r['skipped']})"
        )
    if rows:
        m = results["mean"]
        print(
            f"{'mean (' + str(len(rows)) + ')':28s} {100 * m['standard_f1']:8.1f} {100 * m['matched_f1']:8.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
