"""The packaged language table (Glottolog 5.1 + WALS 2020 + IANA registry, CC BY 4.0).

Built by ``scripts/build_language_table.py``; read once per process and kept in memory.
"""

from __future__ import annotations

import gzip
import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class LanguageRecord:
    """One row of the packaged table (empty strings become ``None``)."""

    iso3: str | None
    glottocode: str | None
    name: str
    family: str | None
    macroarea: str | None
    lat: float | None
    lon: float | None
    lineage: tuple[str, ...]
    wals: str | None
    macro: str | None
    level: str

    @property
    def key(self) -> str:
        return self.iso3 or self.glottocode or self.name


@dataclass(frozen=True)
class LanguageTable:
    """Lookup indexes over the packaged records."""

    by_iso: dict[str, LanguageRecord]
    by_glottocode: dict[str, LanguageRecord]
    by_name: dict[str, LanguageRecord]
    members: dict[str, tuple[str, ...]]  # macrolanguage -> individual languages
    glottocode_aliases: dict[str, str]  # dialect / subgroup glottocode -> ISO 639-3
    group_names: dict[str, str]  # glottocode -> name, for classification nodes


def fold_name(name: str) -> str:
    """Case- and accent-insensitive key for language names ("Bokmål" == "bokmal")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("-", " ").replace("_", " ").split())


def _opt(value: str) -> str | None:
    return value or None


def _read_resource(name: str) -> io.StringIO:
    data = resources.files("xlt.resources.languages").joinpath(name).read_bytes()
    return io.StringIO(gzip.decompress(data).decode("utf-8"))


@lru_cache(maxsize=1)
def language_table() -> LanguageTable:
    reader = _read_resource("languages.tsv.gz")
    header = reader.readline().rstrip("\n").split("\t")
    by_iso: dict[str, LanguageRecord] = {}
    by_glotto: dict[str, LanguageRecord] = {}
    by_name: dict[str, LanguageRecord] = {}
    members: dict[str, list[str]] = {}
    for line in reader:
        row = dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
        rec = LanguageRecord(
            iso3=_opt(row["iso3"]),
            glottocode=_opt(row["glottocode"]),
            name=row["name"],
            family=_opt(row["family"]),
            macroarea=_opt(row["macroarea"]),
            lat=float(row["lat"]) if row["lat"] else None,
            lon=float(row["lon"]) if row["lon"] else None,
            lineage=tuple(row["lineage"].split(";")) if row["lineage"] else (),
            wals=_opt(row["wals"]),
            macro=_opt(row["macro"]),
            level=row["level"],
        )
        if rec.iso3:
            by_iso[rec.iso3] = rec
            if rec.macro:
                members.setdefault(rec.macro, []).append(rec.iso3)
        if rec.glottocode:
            by_glotto[rec.glottocode] = rec
    # names: languages win over dialects and registry-only rows; first seen wins otherwise
    rank = {"language": 0, "dialect": 1}
    for rec in sorted(by_iso.values(), key=lambda r: (rank.get(r.level, 2), r.key)):
        by_name.setdefault(fold_name(rec.name), rec)
        base = rec.name.split(" (")[0]
        by_name.setdefault(fold_name(base), rec)
    aliases_file = _read_resource("glottocode_aliases.tsv.gz")
    aliases_file.readline()
    aliases: dict[str, str] = {}
    group_names: dict[str, str] = {}
    for line in aliases_file:
        glottocode, iso3, name = line.rstrip("\n").split("\t")
        group_names[glottocode] = name
        if iso3:
            aliases[glottocode] = iso3
    return LanguageTable(
        by_iso, by_glotto, by_name, {k: tuple(sorted(v)) for k, v in members.items()}, aliases, group_names
    )
