"""Catalog families and entries: id -> relative path, download URL, licence, format."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

from xlt.errors import UnknownNameError

GH = "https://raw.githubusercontent.com"


def _table(name: str, columns: int) -> list[tuple[str, ...]]:
    """A packaged catalog table (``xlt/resources/catalog/NAME``, built by
    ``scripts/build_catalog_tables.py``), header row dropped."""
    text = resources.files("xlt.resources.catalog").joinpath(name).read_text(encoding="utf-8")
    rows = [tuple(r) for r in csv.reader(io.StringIO(text), delimiter="\t")][1:]
    bad = next((i for i, r in enumerate(rows, start=2) if len(r) != columns), None)
    if bad is not None:
        raise RuntimeError(f"packaged catalog table {name}:{bad}: expected {columns} columns")
    return rows


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset file: where it lives under a data root and where it comes from."""

    id: str
    path: str  #: relative to the data root (uncompressed name; ``.gz`` copies are found too)
    format: str  #: conllu | conll | bible-xml | verses-tsv | sib-tsv
    licence: str
    url: str | None  #: public download location (None: derived data that cannot be fetched as is)
    description: str
    alternatives: tuple[str, ...] = ()  #: other relative paths that hold the same data


@dataclass(frozen=True)
class Family:
    """A family of ids sharing one pattern, e.g. ``ud:<Treebank>:<split>``."""

    name: str
    pattern: str
    description: str
    licence: str
    build: Callable[[list[str]], DatasetEntry]
    enumerate: Callable[[], Iterator[str]]


_SPLITS = ("train", "dev", "test")


def _bad(kind: str, value: str, choices: Iterable[str], family: str) -> UnknownNameError:
    return UnknownNameError(f"{family} {kind}", value, choices)


def _expect_parts(family: str, parts: list[str], n: int, pattern: str) -> None:
    if len(parts) != n:
        raise UnknownNameError(
            "dataset id", f"{family}:{':'.join(parts)}", [], hint=f"{family} ids look like {pattern}"
        )


def _lang_split(
    family: str, parts: list[str], langs: tuple[str, ...] | None, splits: tuple[str, ...], example: str
) -> tuple[str, str]:
    """Check ``<lang>:<split>`` parts of a family id (``langs=None``: any language)."""
    _expect_parts(family, parts, 2, f"{family}:<lang>:<split>, e.g. {example}")
    lang, split = parts
    if langs is not None and lang not in langs:
        raise _bad("language", lang, langs, family)
    if split not in splits:
        raise _bad("split", split, splits, family)
    return lang, split


def _pair_ids(family: str, langs: tuple[str, ...], splits: tuple[str, ...]) -> Callable[[], Iterator[str]]:
    """Enumerates ``<family>:<lang>:<split>`` ids, languages outermost."""

    def ids() -> Iterator[str]:
        for lang in langs:
            for split in splits:
                yield f"{family}:{lang}:{split}"

    return ids


# --- Universal Dependencies ----------------------------------------------------------------
# (treebank, split, file name, repository commit, licence)
_UD = {(tb, split): (f, commit, lic) for tb, split, f, commit, lic in _table("ud_files.tsv", 5)}


def _ud(parts: list[str]) -> DatasetEntry:
    _expect_parts("ud", parts, 2, "ud:<Treebank>:<split>, e.g. ud:Basque-BDT:test")
    tb, split = parts
    if split not in _SPLITS:
        raise _bad("split", split, _SPLITS, "ud")
    if (tb, split) not in _UD:
        treebanks = sorted({t for t, _ in _UD})
        if tb in treebanks:
            have = sorted(s for t, s in _UD if t == tb)
            raise UnknownNameError("ud split", f"{tb}:{split}", [f"{tb}:{s}" for s in have])
        raise _bad("treebank", tb, treebanks, "ud")
    fname, commit, lic = _UD[(tb, split)]
    return DatasetEntry(
        id=f"ud:{tb}:{split}",
        path=f"ud/UD_{tb}/{fname}",
        format="conllu",
        licence=lic,
        url=f"{GH}/UniversalDependencies/UD_{tb}/{commit}/{fname}",
        description=f"Universal Dependencies {tb} {split} (CoNLL-U)",
    )


def _ud_ids() -> Iterator[str]:
    for tb, split in sorted(_UD):
        yield f"ud:{tb}:{split}"


# --- Bible corpus (Christodoulopoulos & Steedman 2015) --------------------------------------
_BIBLE_COMMIT = "44e5fca1bfb369a5da2ee23ebc6f421c88489c5c"
# (file stem in christos-c/bible-corpus, ISO 639-3, language name)
_BIBLES = {stem: (iso, name) for stem, iso, name in _table("bibles.tsv", 3)}


def _bible(parts: list[str]) -> DatasetEntry:
    _expect_parts("bible", parts, 1, "bible:<Name>, e.g. bible:Basque-NT")
    (stem,) = parts
    if stem not in _BIBLES:
        raise _bad("Bible", stem, sorted(_BIBLES), "bible")
    iso, name = _BIBLES[stem]
    alternatives = ("bible/English-WEB.verses.tsv",) if stem == "English-WEB" else ()
    return DatasetEntry(
        id=f"bible:{stem}",
        path=f"bible/{stem}.xml",
        format="bible-xml",
        licence="CC0-1.0 (corpus); translations' own terms apply",
        url=f"{GH}/christos-c/bible-corpus/{_BIBLE_COMMIT}/bibles/{stem}.xml",
        description=f"Bible in {name} ({iso}), verse-aligned CES XML",
        alternatives=alternatives,
    )


def _bible_ids() -> Iterator[str]:
    for stem in sorted(_BIBLES):
        yield f"bible:{stem}"


# --- Masakhane NER / POS ---------------------------------------------------------------------
_MASAKHA_LANGS: tuple[str, ...] = tuple(
    "bam bbj ewe fon hau ibo kin lug luo mos nya pcm sna swa tsn twi wol xho yor zul".split()  # noqa: SIM905
)


def _masakha(
    family: str, repo: str, commit: str, remote_dir: str, local_dir: str, what: str
) -> Callable[[list[str]], DatasetEntry]:
    def build(parts: list[str]) -> DatasetEntry:
        lang, split = _lang_split(family, parts, _MASAKHA_LANGS, _SPLITS, f"{family}:hau:train")
        return DatasetEntry(
            id=f"{family}:{lang}:{split}",
            path=f"{local_dir}/{lang}/{split}.txt",
            format="conll",
            licence="CC-BY-NC-4.0",
            url=f"{GH}/{repo}/{commit}/{remote_dir}/{lang}/{split}.txt",
            description=f"{what} {lang} {split}",
        )

    return build


# --- SIB-200 -------------------------------------------------------------------------------
_FLORES = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_SIB_COMMIT = "593cea88519930f776c1a4a1980b6a35b39dca57"


def _sib(parts: list[str]) -> DatasetEntry:
    lang, split = _lang_split("sib200", parts, None, _SPLITS, "sib200:wol_Latn:test")
    if not _FLORES.match(lang):
        raise UnknownNameError(
            "sib200 language", lang, [], hint="use a FLORES-200 code such as wol_Latn or eng_Latn"
        )
    return DatasetEntry(
        id=f"sib200:{lang}:{split}",
        path=f"sib200/annotated/{lang}/{split}.tsv",
        format="sib-tsv",
        licence="CC-BY-SA-4.0",
        url=f"{GH}/dadelani/sib-200/{_SIB_COMMIT}/data/annotated/{lang}/{split}.tsv",
        description=f"SIB-200 topic classification {lang} {split}",
    )


_SIB_EXAMPLES = ("eng_Latn", "wol_Latn", "hau_Latn", "yor_Latn", "swh_Latn", "eus_Latn")  # it takes any code


# --- Projection data -------------------------------------------------------------------------
_EUROPARL_LANGS = ("en", "de", "es", "it")


def _europarl(parts: list[str]) -> DatasetEntry:
    lang, _ = _lang_split("europarl-ner", parts, _EUROPARL_LANGS, ("test",), "europarl-ner:de:test")
    name = f"{lang}-europarl.test.conll02"
    return DatasetEntry(
        id=f"europarl-ner:{lang}:test",
        path=f"projection/europarl_ner_agerri2018/{name}",
        format="conll",
        licence="Europarl terms (no known copyright restrictions)",
        url=f"{GH}/ixa-ehu/ner-evaluation-corpus-europarl/40e84e215a35c7e46c1b169ad88ab55108a8b0de/{name}",
        description=f"Parallel Europarl NER gold (Agerri et al. 2018), {lang}",
    )


_TPROJ_LANGS = ("hau", "ibo", "nya", "sna", "swa", "xho", "yor", "zul")


def _tprojection(parts: list[str]) -> DatasetEntry:
    lang, _ = _lang_split("tprojection", parts, _TPROJ_LANGS, ("train",), "tprojection:hau:train")
    return DatasetEntry(
        id=f"tprojection:{lang}:train",
        path=f"projection/tprojection_masakhaner_silver/{lang}.train.txt",
        format="conll",
        licence="Apache-2.0 (repository); derived from CoNLL-2003 translations",
        url=f"{GH}/ikergarcia1996/T-Projection/1e2d276228870736159917812f5d00af43da9b56/"
        f"datasets/masakhaNER_projections/{lang}.train.txt",
        description=f"T-Projection translate-train silver NER for {lang} (García-Ferrero et al. 2023)",
    )


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "ud", "ud:<Treebank>:<split>", "Universal Dependencies treebanks", "per treebank", _ud, _ud_ids
        ),
        Family(
            "bible",
            "bible:<Name>",
            "Bible corpus (Christodoulopoulos & Steedman 2015)",
            "CC0-1.0",
            _bible,
            _bible_ids,
        ),
        Family(
            "masakhaner2",
            "masakhaner2:<lang>:<split>",
            "MasakhaNER 2.0 (Adelani et al. 2022)",
            "CC-BY-NC-4.0",
            _masakha(
                "masakhaner2",
                "masakhane-io/masakhane-ner",
                "ba5843cd08aa491d5f96a5e809e71eb9ec461391",
                "MasakhaNER2.0/data",
                "masakhaner2",
                "MasakhaNER 2.0 NER",
            ),
            _pair_ids("masakhaner2", _MASAKHA_LANGS, _SPLITS),
        ),
        Family(
            "masakhapos",
            "masakhapos:<lang>:<split>",
            "MasakhaPOS (Dione et al. 2023)",
            "CC-BY-NC-4.0",
            _masakha(
                "masakhapos",
                "masakhane-io/masakhane-pos",
                "a42273eb27d37f3dedfc3914bfccb88199e10454",
                "data",
                "masakhapos",
                "MasakhaPOS UPOS",
            ),
            _pair_ids("masakhapos", _MASAKHA_LANGS, _SPLITS),
        ),
        Family(
            "sib200",
            "sib200:<lang_Script>:<split>",
            "SIB-200 (Adelani et al. 2024)",
            "CC-BY-SA-4.0",
            _sib,
            _pair_ids("sib200", _SIB_EXAMPLES, _SPLITS),
        ),
        Family(
            "europarl-ner",
            "europarl-ner:<lang>:test",
            "Europarl parallel NER gold (Agerri et al. 2018)",
            "Europarl terms",
            _europarl,
            _pair_ids("europarl-ner", _EUROPARL_LANGS, ("test",)),
        ),
        Family(
            "tprojection",
            "tprojection:<lang>:train",
            "T-Projection MasakhaNER silver data",
            "Apache-2.0",
            _tprojection,
            _pair_ids("tprojection", _TPROJ_LANGS, ("train",)),
        ),
    )
}

_ID = re.compile(r"^([a-z0-9-]+):(\S+)$")


def is_catalog_id(text: str) -> bool:
    """Whether ``text`` looks like a catalog id of a known family (``family:...``)."""
    m = _ID.match(text)
    return bool(m) and m.group(1) in FAMILIES


def entry(dataset_id: str) -> DatasetEntry:
    """The catalog entry of ``dataset_id``; unknown families or parts raise UnknownNameError."""
    m = _ID.match(dataset_id)
    if not m or m.group(1) not in FAMILIES:
        family = dataset_id.split(":", 1)[0]
        raise UnknownNameError(
            "dataset family",
            family,
            FAMILIES,
            hint="dataset ids look like ud:Basque-BDT:test or bible:Basque-NT",
        )
    return FAMILIES[m.group(1)].build(m.group(2).split(":"))


def list_entries(family: str | None = None) -> list[DatasetEntry]:
    """Every enumerable entry (SIB-200 lists a few examples: it accepts any FLORES-200 code)."""
    if family is not None and family not in FAMILIES:
        raise UnknownNameError("dataset family", family, FAMILIES)
    fams = [FAMILIES[family]] if family else list(FAMILIES.values())
    return [entry(i) for f in fams for i in f.enumerate()]
