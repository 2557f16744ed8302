"""xlt.io.parallel: pairs, line-aligned files, Bibles and verse joins."""

from __future__ import annotations

import pytest

from xlt.errors import MismatchError
from xlt.io.parallel import (
    iter_parallel,
    join_verses,
    read_bible,
    read_bible_pair,
    read_parallel,
    read_parallel_files,
    write_parallel,
)
from xlt.types import SentencePair


def test_triple_bar_and_tsv(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("the house ||| la maison\nx  y|||z\n", encoding="utf-8")
    pairs = list(iter_parallel(a))
    assert pairs[0] == SentencePair(("the", "house"), ("la", "maison"), id="a.txt:1")
    assert pairs[1].src == ("x", "y") and pairs[1].tgt == ("z",)
    b = tmp_path / "b.tsv"
    b.write_text("a b\tc\n", encoding="utf-8")
    assert read_parallel(b)[0].tgt == ("c",)


def test_ideographic_space_is_a_token(tmp_path):
    a = tmp_path / "ja.txt"
    a.write_text("山 \u3000 くらま ||| mountain\n", encoding="utf-8")
    assert next(iter_parallel(a)).src == ("山", "\u3000", "くらま")


def test_line_aligned_files(tmp_path):
    s, t = tmp_path / "s.txt", tmp_path / "t.txt"
    s.write_text("a b\nc\n", encoding="utf-8")
    t.write_text("x\ny z\n", encoding="utf-8")
    pairs = read_parallel_files(s, t)
    assert [p.tgt for p in pairs] == [("x",), ("y", "z")]
    assert read_parallel((s, t)) == pairs
    t.write_text("x\n", encoding="utf-8")
    with pytest.raises(MismatchError, match=r"2 lines.*has 1"):
        read_parallel_files(s, t)


def test_bible_xml_and_tsv(resources):
    xml = read_bible(resources / "io" / "bible_sample.xml")
    assert xml["b.MAT.1.1"] == "Lii mooy cosaanu Yeesu Kirist ."
    assert xml["b.MAT.1.3"] == ""
    tsv = read_bible(resources / "io" / "bible_sample.verses.tsv")
    assert len(tsv) == 4 and "verse_id" not in tsv


def test_join_counts(resources):
    join = join_verses(
        read_bible(resources / "io" / "bible_sample.xml"),
        read_bible(resources / "io" / "bible_sample.verses.tsv"),
    )
    assert join.ids == ("b.MAT.1.1", "b.MAT.1.2")
    assert (join.n_only_src, join.n_only_tgt, join.n_empty) == (1, 1, 1)
    pairs, join2 = read_bible_pair(
        resources / "io" / "bible_sample.xml", resources / "io" / "bible_sample.verses.tsv"
    )
    assert pairs[0].id == "b.MAT.1.1" and pairs[0].tgt[-1] == "." and join2 == join
    both = read_parallel(
        (resources / "io" / "bible_sample.xml", resources / "io" / "bible_sample.verses.tsv")
    )
    assert both == pairs


def test_no_shared_verses():
    with pytest.raises(MismatchError, match="no verse ids in common"):
        join_verses({"b.MAT.1.1": "a"}, {"b.GEN.1.1": "b"})


def test_write_parallel(tmp_path):
    out = tmp_path / "p.txt"
    write_parallel([SentencePair(("a",), ("b", "c"))], out)
    assert out.read_text() == "a ||| b c\n"


def test_pbc_ids_convert_and_join(tmp_path, resources):
    from xlt.io.parallel import BOOKS, ces_to_pbc, pbc_to_ces

    assert len(BOOKS) == 66 and BOOKS[39] == "MAT"
    assert pbc_to_ces("40001001") == "b.MAT.1.1" and ces_to_pbc("b.REV.22.21") == "66022021"
    assert all(pbc_to_ces(ces_to_pbc(f"b.{b}.3.14")) == f"b.{b}.3.14" for b in BOOKS)
    with pytest.raises(ValueError):
        pbc_to_ces("67001001")
    pbc = tmp_path / "pbc.txt"
    pbc.write_text("# language_name: Test\n40001001\tUn .\n40001002\tDeux .\n", encoding="utf-8")
    assert list(read_bible(pbc)) == ["b.MAT.1.1", "b.MAT.1.2"]
    join = join_verses(read_bible(resources / "io" / "bible_sample.xml"), read_bible(pbc))
    assert join.ids == ("b.MAT.1.1", "b.MAT.1.2")
