"""Every corpus of ../shared/data that xlt reads loads, and its counts match the sources.

Counts are checked against the sources' own statistics where they exist (UD
``stats.xml`` and ``MANIFEST.tsv``, the MasakhaNER 2.0 README table, UNER
``.stats``, the SIB-200 701/99/204 split, Europarl's 799 sentences) and
for internal consistency otherwise (parallel line counts, alignment bounds).
"""

from __future__ import annotations

import csv
import json
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from xlt.catalog import available_languages
from xlt.errors import DataFormatError
from xlt.io.classification import read_classification
from xlt.io.conll import UNER_COLUMNS, iter_conll, read_conll
from xlt.io.conllu import iter_conllu
from xlt.io.files import read_text, strip_compression_suffix
from xlt.io.parallel import iter_parallel, join_verses, read_bible, read_parallel_files
from xlt.io.pharaoh import read_gold_alignment_set, read_naacl, read_pharaoh, read_xlwa

pytestmark = pytest.mark.data

# language names in the MasakhaNER 2.0 README table -> the directory codes
README_NAMES = {
    "Bambara": "bam", "Ghomala": "bbj", "Fon": "fon", "Hausa": "hau", "Igbo": "ibo", "Kinyarwanda": "kin",
    "Luo": "luo", "Mossi": "mos", "Nigerian-Pidgin": "pcm", "Chichewa": "nya", "chiShona": "sna",
    "Kiswahili": "swa", "Akan/Twi": "twi", "Wolof": "wol", "isiXhosa": "xho", "Yoruba": "yor",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _quiet_repairs(caplog):
    caplog.set_level(logging.ERROR, logger="xlt.io.conll")


def _count(it) -> int:
    return sum(1 for _ in it)


def _split_of(name: str) -> str | None:
    m = re.search(r"-ud-(train|dev|test)", name)
    return m.group(1) if m else None


def test_ud_treebanks(shared_data: Path):
    ud = shared_data / "ud"
    manifest = {}
    with open(ud / "MANIFEST.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            manifest[(row["treebank"], row["file"])] = row
    checked_stats = loaded = 0
    for (treebank, name), row in sorted(manifest.items()):
        files = list((ud / treebank).glob(name + "*"))
        if row["provenance"].startswith("NOT INCLUDED"):
            assert not files, f"{treebank}/{name} is marked absent but exists"
            continue
        assert files, f"{treebank}/{name} listed in MANIFEST.tsv but missing"
        sentences = _count(iter_conllu(files[0]))
        loaded += 1
        assert sentences == int(row["sentences"]), (
            f"{treebank}/{name}: {sentences} != MANIFEST {row['sentences']}"
        )
        stats = ud / treebank / "stats.xml"
        if stats.exists() and row["provenance"].startswith(("HEAD", "REBUILT")):
            split = _split_of(name)
            node = ET.parse(stats).getroot().find(f"size/{split}/sentences")
            if node is not None:
                assert sentences == int(node.text), f"{treebank}/{name}: {sentences} != stats.xml {node.text}"
                checked_stats += 1
    assert loaded >= 120 and checked_stats >= 100


def _readme_table(path: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for line in read_text(path).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in README_NAMES and all(c.isdigit() for c in cells[2:]):
            out[README_NAMES[cells[0]]] = tuple(int(c) for c in cells[2:])
    return out


def _african(shared_data: Path) -> list[str]:
    """The MasakhaNER 2.0 languages of the shared data (16: ewe, lug, tsn and zul are held out)."""
    langs = available_languages("masakhaner2", shared_data, cache=False)
    assert len(langs) == 16, langs
    return langs


def test_masakhaner2(shared_data: Path):
    table = _readme_table(shared_data / "masakhaner2" / "README.md")
    assert set(table) == set(_african(shared_data))
    # known differences between the README table and the released files (checked by hand)
    known = {("bam", "train"): 4462, ("fon", "dev"): 623, ("fon", "test"): 1228, ("mos", "test"): 1294,
             ("pcm", "test"): 1613, ("yor", "train"): 6876}  # fmt: skip
    mismatches = []
    for lang in sorted(table):
        for split, expected in zip(("train", "dev", "test"), table[lang], strict=True):
            sents = read_conll(shared_data / "masakhaner2" / lang / f"{split}.txt")
            assert sents and all(lab is not None for s in sents for lab in s.labels)
            types = {lab[2:] for s in sents for lab in s.labels if lab != "O"}
            assert types <= {"PER", "ORG", "LOC", "DATE"}, (lang, split, types)
            if len(sents) != expected:
                mismatches.append((lang, split))
                assert known.get((lang, split)) == len(sents), (
                    f"{lang}/{split}: {len(sents)} vs README {expected}"
                )
    assert len(mismatches) == len(known)


def test_masakhaner_transfer_and_amharic(shared_data: Path):
    root = shared_data / "masakhaner2" / "transfer_corpus"
    for f in sorted(root.glob("*/*.txt*")):
        assert _count(iter_conll(f)) > 0, f
    amh = read_conll(shared_data / "masakhaner1" / "amh" / "train.txt")
    assert len(amh) > 1000 and any("\u1200" <= ch <= "\u137f" for ch in amh[0].tokens[0])


def test_masakhapos(shared_data: Path):
    upos = {"ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
            "PUNCT", "SCONJ", "SYM", "VERB", "X"}  # fmt: skip
    for lang in _african(shared_data):
        for split in ("train", "dev", "test"):
            sents = read_conll(shared_data / "masakhapos" / lang / f"{split}.txt")
            assert len(sents) > 100
            assert {lab for s in sents for lab in s.labels} <= upos, (lang, split)
    for f in sorted((shared_data / "masakhapos" / "transfer_corpus").glob("*/*")):
        assert _count(iter_conll(f)) > 0, f


def test_english_ner_and_uner(shared_data: Path):
    wnut = shared_data / "ner_en" / "wnut17"
    assert len(read_conll(wnut / "wnut17train.conll")) == 3394
    assert len(read_conll(wnut / "emerging.dev.conll")) == 1009
    assert len(read_conll(wnut / "emerging.test.annotated")) == 1287
    for f in sorted((shared_data / "uner").glob("*/*.iob2*")):
        sents = read_conll(f, **UNER_COLUMNS)
        stats = f.parent / (strip_compression_suffix(f.name).split(".")[0] + ".stats")
        if not stats.exists():
            stats = next(
                f.parent.glob(
                    f.name.split("-ud-")[0] + "-ud-" + f.name.split("-ud-")[1].split(".")[0] + "*.stats"
                )
            )
        expected = json.loads(stats.read_text(encoding="utf-8"))["num_sentences"]
        assert len(sents) == expected, f
        assert {lab for s in sents for lab in s.labels} <= {
            "O",
            "B-PER",
            "I-PER",
            "B-ORG",
            "I-ORG",
            "B-LOC",
            "I-LOC",
        }


def test_europarl_ner_parallel(shared_data: Path):
    root = shared_data / "projection" / "europarl_ner_agerri2018"
    by_lang = {lang: read_conll(root / f"{lang}-europarl.test.conll02") for lang in ("en", "de", "es", "it")}
    assert {len(v) for v in by_lang.values()} == {799}
    # parallel: sentence i has the same number of entities in most languages
    same = sum(
        len({sum(lab.startswith("B-") for lab in by_lang[lang][i].labels) for lang in by_lang}) == 1
        for i in range(799)
    )
    assert same > 600


def test_projection_silver_and_absa(shared_data: Path):
    for f in sorted((shared_data / "projection" / "tprojection_masakhaner_silver").glob("*.train.txt*")):
        assert _count(iter_conll(f)) > 1000, f
    absa = shared_data / "projection" / "absa_semeval2016_manual_projection"
    sizes = {
        split: len(read_conll(absa / "original" / "en" / f"en.absa.{split}.tsv"))
        for split in ("train", "test")
    }
    assert sizes == {"train": 2000, "test": 676}
    for f in sorted((absa / "manual_projections").glob("*/*.tsv*")):
        sents = read_conll(f, label_col=1)  # token, BIO label, projection quality
        split = "train" if ".train." in f.name else "test"
        assert len(sents) == sizes[split], f
        assert {lab for s in sents for lab in s.labels} <= {"O", "B-TARGET", "I-TARGET"}, f


def test_bibles(shared_data: Path):
    bible = shared_data / "bible"
    english = read_bible(bible / "English-WEB.verses.tsv")
    assert len(english) == 31216
    files = sorted(bible.glob("*.xml*"))
    assert len(files) == 46
    for f in files:
        verses = read_bible(f)
        join = join_verses(verses, english)
        assert len(verses) > 600 and len(join) > 500, f
        assert len(join) + join.n_only_src + join.n_empty == len(verses)


def test_alignment_gold_sets(shared_data: Path):
    root = shared_data / "alignment"
    sizes = {"en-fr_hansards_naacl2003": ("enfr", 447), "ro-en_wpt2003": ("roen", 248),
             "ja-en_kftt": ("jaen", 582), "zh-en_tsinghua": ("zhen", 450)}  # fmt: skip
    for folder, (stem, n) in sizes.items():
        items = read_gold_alignment_set(root / folder / f"{stem}.src-tgt", root / folder / f"{stem}.gold")
        assert len(items) == n and sum(len(a.sure) for _, a in items) > n
    bicici = root / "de-en_bicici_europarl100"
    pairs = read_parallel_files(bicici / "test.de", bicici / "test.en")
    # the released file has one link past the end of an English sentence (line 63: 12-16, 13 tokens)
    with pytest.raises(DataFormatError, match=r"de-en.wa:63: link '12-16': target index out of range"):
        read_pharaoh(bicici / "de-en.wa", pairs=pairs)
    giza = read_pharaoh(bicici / "de-en.wa")
    dropped = read_pharaoh(bicici / "de-en.wa", pairs=pairs, out_of_range="drop")
    assert sum(len(a.sure) for a in giza) - sum(len(a.sure) for a in dropped) == 1
    assert len(giza) == 100 and read_naacl(bicici / "de-en.ref.wa", n_sentences=100) == giza
    langs = sorted(p.name for p in (root / "xl-wa").iterdir() if p.is_dir())
    assert len(langs) == 10
    for lang in langs:
        for f in sorted((root / "xl-wa" / lang).glob("*.tsv*")):
            assert len(read_xlwa(f)) > 50, f


def test_sib200(shared_data: Path):
    langs = sorted(p for p in (shared_data / "sib200" / "annotated").iterdir() if p.is_dir())
    assert len(langs) == 205
    index = None
    for lang in langs:
        labels = set((lang / "labels.txt").read_text(encoding="utf-8").split())
        for split, n in (("train", 701), ("dev", 99), ("test", 204)):
            ex = read_classification(lang / f"{split}.tsv")
            assert len(ex) == n, (lang.name, split)
            assert {e.label for e in ex} <= labels
            if split == "test":
                ids = [e.id for e in ex]
                assert index is None or ids == index, lang.name  # aligned across languages
                index = ids


def test_nusax_and_americasnli(shared_data: Path):
    langs = sorted(p for p in (shared_data / "nusax" / "sentiment").iterdir() if p.is_dir())
    assert len(langs) == 12
    for lang in langs:
        sizes = [len(read_classification(lang / f"{s}.csv")) for s in ("train", "valid", "test")]
        assert sizes == [500, 100, 400], lang.name
    for f in sorted((shared_data / "xnli" / "americasnli").glob("*/*.tsv*")):
        ex = read_classification(f)
        assert len(ex) > 100 and all(e.text_pair for e in ex)
        assert {e.label for e in ex} == {"entailment", "neutral", "contradiction"}
    taxi = [read_classification(shared_data / "taxi1500" / f"eng_{s}.tsv") for s in ("train", "dev", "test")]
    assert [len(t) for t in taxi] == [860, 106, 111]


def test_parallel_text_files(shared_data: Path):
    mt = shared_data / "nusax" / "mt"
    assert len(read_classification(mt / "train.csv", text_field="english")) > 100
    for f in sorted((shared_data / "alignment").glob("*/*.src-tgt*")):
        assert _count(iter_parallel(f)) > 100


def test_transfer_rank_table(shared_data: Path):
    tables = pytest.importorskip("xlt.io.tables")
    table = tables.read_transfer_table(shared_data / "masakhaner2" / "transfer_ranks.csv")
    assert len(table.sources) == 42 and len(table.targets) == 38


def test_taxi1500_verses_exist_in_bibles(shared_data: Path):
    from xlt.io.parallel import pbc_to_ces

    web = read_bible(shared_data / "bible" / "English-WEB.verses.tsv")
    wolof = read_bible(shared_data / "bible" / "Wolof-NT.xml")
    for split in ("train", "dev", "test"):
        ids = [pbc_to_ces(e.id) for e in read_classification(shared_data / "taxi1500" / f"eng_{split}.tsv")]
        assert all(i in web for i in ids) and all(i in wolof for i in ids), split
