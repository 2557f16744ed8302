"""Build the packaged language table ``src/xlt/resources/languages/languages.tsv.gz``.

Sources (all CC BY 4.0 / public registry data, see docs/languages.md):
  * Glottolog 5.1 CLDF ``languages.csv`` and ``classification.nex`` (names, ISO 639-3 codes,
    family, macro-area, coordinates, classification path);
  * WALS 2020 CLDF ``languages.csv`` (WALS codes, fallback coordinates);
  * the IANA language-subtag registry shipped with ``langcodes`` (names of ISO codes Glottolog
    lacks, and macrolanguage membership).

Usage: python scripts/build_language_table.py [--data ../shared/data] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
from pathlib import Path

from xlt.io.files import read_text
from xlt.paths import data_root

COLUMNS = (
    "iso3",
    "glottocode",
    "name",
    "family",
    "macroarea",
    "lat",
    "lon",
    "lineage",
    "wals",
    "macro",
    "level",
)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read_text(path))))


def parse_lineages(nexus: str) -> dict[str, list[str]]:
    """Glottocode -> list of ancestor glottocodes (family root first) from the NEXUS trees."""
    lineage: dict[str, list[str]] = {}
    for match in re.finditer(r"tree \S+ = \[&R\] (.*);", nexus):
        newick = match.group(1)
        # walk the newick string: a label follows a ')' (internal node) or starts a leaf
        stack: list[list[str]] = [[]]  # children collected per open parenthesis
        i = 0
        while i < len(newick):
            ch = newick[i]
            if ch == "(":
                stack.append([])
                i += 1
            elif ch in ",":
                i += 1
            elif ch == ")":
                children = stack.pop()
                j = i + 1
                m = re.match(r"([a-z0-9]{4}\d{4})(?::\d+)?", newick[j:])
                label = m.group(1) if m else ""
                i = j + (m.end() if m else 0)
                for child in children:
                    lineage[child] = [label]  # parent first, fixed below
                stack[-1].append(label)
                lineage.setdefault(label, [])
            else:
                m = re.match(r"([a-z0-9]{4}\d{4})(?::\d+)?", newick[i:])
                if not m:
                    i += 1
                    continue
                stack[-1].append(m.group(1))
                lineage.setdefault(m.group(1), [])
                i += m.end()
    parent = {c: p[0] for c, p in lineage.items() if p}
    out: dict[str, list[str]] = {}
    for code in lineage:
        path = []
        node = code
        while node in parent:
            node = parent[node]
            path.append(node)
        out[code] = path[::-1]
    return out


def lineage_of(glottocode: str, language_id: str, lineages: dict[str, list[str]]) -> list[str]:
    """The classification path of a language; a dialect hangs under its language."""
    if glottocode in lineages or not language_id:
        return lineages.get(glottocode, [])
    return [*lineages.get(language_id, []), language_id]


def registry_entries() -> dict[str, dict[str, str]]:
    """ISO 639-3 (3-letter) language subtags of the IANA registry: name and macrolanguage."""
    import langcodes

    path = Path(langcodes.__file__).parent / "data" / "language-subtag-registry.txt"
    entries: dict[str, dict[str, str]] = {}
    for record in path.read_text(encoding="utf-8").split("%%"):
        fields: dict[str, str] = {}
        for line in record.strip().splitlines():
            if ": " in line and not line.startswith(" "):
                key, value = line.split(": ", 1)
                fields.setdefault(key, value)
        if fields.get("Type") != "language" or "Deprecated" in fields:
            continue
        tag = fields.get("Subtag", "")
        if ".." in tag:
            continue
        entries[tag] = fields
    return entries


def to_alpha3(tag: str) -> str:
    import langcodes

    return tag if len(tag) == 3 else langcodes.Language.get(tag).to_alpha3()


def build(data: Path) -> list[dict[str, str]]:
    glot = data / "typology" / "glottolog_v5.1"
    languoids = read_csv(glot / "languages.csv")
    names = {r["ID"]: r["Name"] for r in languoids}
    lineages = parse_lineages(read_text(glot / "classification.nex"))
    wals_by_glotto: dict[str, dict[str, str]] = {}
    wals_by_iso: dict[str, dict[str, str]] = {}
    for r in read_csv(data / "typology" / "wals_v2020" / "languages.csv"):
        if r["Glottocode"]:
            wals_by_glotto.setdefault(r["Glottocode"], r)
        if r["ISO639P3code"]:
            wals_by_iso.setdefault(r["ISO639P3code"], r)
    registry = registry_entries()
    macro_of = {
        to_alpha3(t): to_alpha3(f["Macrolanguage"]) for t, f in registry.items() if "Macrolanguage" in f
    }
    rows: dict[str, dict[str, str]] = {}
    for r in languoids:
        level = r["Level"]
        iso = r["ISO639P3code"]
        if level not in ("language", "dialect") or (level == "dialect" and not iso):
            continue
        gc = r["ID"]
        wals = (wals_by_iso.get(iso) if iso else None) or wals_by_glotto.get(gc) or {}
        lat, lon = r["Latitude"], r["Longitude"]
        if not lat and wals:
            lat, lon = wals.get("Latitude", ""), wals.get("Longitude", "")
        key = iso or gc
        if key in rows and rows[key]["level"] == "language":
            continue
        rows[key] = {
            "iso3": iso,
            "glottocode": gc,
            "name": r["Name"],
            "family": names.get(r["Family_ID"], "")
            if r["Family_ID"]
            else ("" if r["Is_Isolate"] != "true" else r["Name"]),
            "macroarea": r["Macroarea"],
            "lat": f"{float(lat):.4f}" if lat else "",
            "lon": f"{float(lon):.4f}" if lon else "",
            "lineage": ";".join(lineage_of(gc, r["Language_ID"], lineages)),
            "wals": wals.get("ID", ""),
            "macro": macro_of.get(iso, ""),
            "level": level,
        }
    for tag, fields in registry.items():
        iso = to_alpha3(tag)
        if iso in rows or fields.get("Scope") == "collection" or len(iso) != 3:
            continue
        wals = wals_by_iso.get(iso, {})
        rows[iso] = {
            "iso3": iso,
            "glottocode": "",
            "name": fields.get("Description", ""),
            "family": wals.get("Family", ""),
            "macroarea": wals.get("Macroarea", ""),
            "lat": f"{float(wals['Latitude']):.4f}" if wals.get("Latitude") else "",
            "lon": f"{float(wals['Longitude']):.4f}" if wals.get("Longitude") else "",
            "lineage": "",
            "wals": wals.get("ID", ""),
            "macro": macro_of.get(iso, ""),
            "level": fields.get("Scope", "language"),
        }
    return sorted(rows.values(), key=lambda r: (r["iso3"] or "~", r["glottocode"]))


def build_aliases(data: Path, rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """Glottocodes without their own ISO code -> an ISO 639-3 code (or "" for a group
    that only names a classification node): a dialect maps to its
    language; a subgroup maps to the descendant of the same name, the one it is named after
    ("Wolofic" -> Wolof), or its only descendant."""
    glot = data / "typology" / "glottolog_v5.1"
    iso_of = {r["glottocode"]: r["iso3"] for r in rows if r["glottocode"] and r["iso3"]}
    languoids = read_csv(glot / "languages.csv")
    out: list[tuple[str, str, str]] = []
    descendants: dict[str, list[str]] = {}
    for r in rows:
        if r["iso3"] and r["level"] == "language":
            for anc in r["lineage"].split(";") if r["lineage"] else []:
                descendants.setdefault(anc, []).append(r["iso3"])
    name_of = {r["iso3"]: r["name"] for r in rows if r["iso3"]}
    for r in languoids:
        gc = r["ID"]
        if gc in iso_of:
            continue
        if r["Level"] == "dialect" and r["Language_ID"] in iso_of:
            out.append((gc, iso_of[r["Language_ID"]], r["Name"]))
            continue
        kids = descendants.get(gc, [])
        same = [k for k in kids if name_of[k] == r["Name"]]
        # a group named after one member ("Wolofic" -> Wolof)
        eponym = [k for k in kids if len(name_of[k]) >= 4 and r["Name"].startswith(name_of[k])]
        if len(same) == 1:
            out.append((gc, same[0], r["Name"]))
        elif not same and len(eponym) == 1:
            out.append((gc, eponym[0], r["Name"]))
        elif len(kids) == 1:
            out.append((gc, kids[0], r["Name"]))
        elif kids:  # keep the name for classification paths, without an ISO target
            out.append((gc, "", r["Name"]))
    return sorted(out)


def write_gz(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the gzip bytes reproducible
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(text.encode("utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data root (default: ../shared/data)")
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src/xlt/resources/languages/languages.tsv.gz",
    )
    args = ap.parse_args()
    rows = build(data_root(args.data))
    buf = io.StringIO()
    buf.write("\t".join(COLUMNS) + "\n")
    for r in rows:
        buf.write("\t".join(r[c].replace("\t", " ") for c in COLUMNS) + "\n")
    write_gz(args.out, buf.getvalue())
    print(f"wrote {len(rows)} languages to {args.out} ({args.out.stat().st_size} bytes)")
    aliases = build_aliases(data_root(args.data), rows)
    alias_path = args.out.with_name("glottocode_aliases.tsv.gz")
    write_gz(alias_path, "glottocode\tiso3\tname\n" + "".join(f"{g}\t{i}\t{n}\n" for g, i, n in aliases))
    print(f"wrote {len(aliases)} glottocode aliases to {alias_path} ({alias_path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
