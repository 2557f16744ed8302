"""Build the catalog's static tables (``src/xlt/resources/catalog/*.tsv``) from the corpora's own
metadata: the UD treebank manifest (``ud/MANIFEST.tsv``: treebank, file, repository commit,
licence) and the Bible corpus metadata (``bible/metadata.csv``: file, ISO 639-3, language).

    python scripts/build_catalog_tables.py [--data ../shared/data]

UD rows are the files named ``<code>-ud-<split>.conllu`` or, for a snapshot taken at a dated
commit, ``<code>-ud-<split>.<YYYY-MM-DD>.conllu``; copies from release tags
(``…-ud-train.r2.6.conllu``) are left out. Sorted by treebank and file; Bible rows keep the
metadata's order.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "xlt" / "resources" / "catalog"
UD_SPLIT = re.compile(r"-ud-(train|dev|test)(?:\.\d{4}-\d{2}-\d{2})?\.conllu$")


def ud_rows(manifest: Path) -> list[tuple[str, ...]]:
    with manifest.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for r in rows:
        m = UD_SPLIT.search(r["file"])
        if m is None:
            continue
        out.append(
            (r["treebank"].removeprefix("UD_"), m.group(1), r["file"], r["repo_HEAD_commit"], r["license"])
        )
    return sorted(out, key=lambda t: (t[0], t[2]))


def bible_rows(metadata: Path) -> list[tuple[str, ...]]:
    with metadata.open(encoding="utf-8", newline="") as fh:
        return [
            (r["Filename"].removesuffix(".xml"), r["ISO_639-3"], r["Language"]) for r in csv.DictReader(fh)
        ]


def tsv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ud = ud_rows(data / "ud" / "MANIFEST.tsv")
    bibles = bible_rows(data / "bible" / "metadata.csv")
    (out / "ud_files.tsv").write_text(
        tsv(("treebank", "split", "file", "commit", "license"), ud), encoding="utf-8"
    )
    (out / "bibles.tsv").write_text(tsv(("stem", "iso639_3", "language"), bibles), encoding="utf-8")
    print(f"wrote {len(ud)} UD files and {len(bibles)} Bibles to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
