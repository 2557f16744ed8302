"""The format registry (xlt.io.formats): one table behind detection, checking and the text readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlt.io import formats
from xlt.io.check import CHECKERS, check_file
from xlt.io.detect import UnknownFormatError, detect_kind
from xlt.io.texts import iter_texts, iter_tokens, text_kind


def test_every_registered_function_exists_and_every_kind_has_a_checker():
    for fmt in formats.FORMATS.values():
        for role in ("read", "write", "texts", "tokens"):
            if getattr(fmt, role) is not None:
                assert callable(fmt.function(role)), (fmt.kind, role)
    assert set(CHECKERS) == set(formats.FORMATS)


def test_a_suffix_names_its_kind_and_sniffs_run_in_order(tmp_path: Path):
    assert formats.kind_by_suffix(".conllu") == "conllu" and formats.kind_by_suffix(".zzz") is None
    links = tmp_path / "a.txt"
    links.write_text("0-0 1-1\n2-2 3-3\n", encoding="utf-8")  # two columns: CoNLL-shaped too
    assert detect_kind(links) == "pharaoh"  # the link sniff comes first


def test_among_and_fallback(tmp_path: Path):
    links = tmp_path / "a.txt"
    links.write_text("0-0 1-1\n2-2 3-3\n", encoding="utf-8")
    assert detect_kind(links, among=("conll",)) == "conll"  # only CoNLL may answer
    prose = tmp_path / "p.txt"
    prose.write_text("A long line of running text , more than six words .\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="matches no known format"):
        detect_kind(prose)
    assert detect_kind(prose, fallback="text") == "text"
    assert detect_kind(links, among=("conllu",), fallback="none") == "none"
    sib = tmp_path / "sib.tsv"
    sib.write_text("index_id\tcategory\ttext\n1\tscience\tA b\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="looks like classification, expected conllu"):
        detect_kind(sib, among=("conllu",))


def test_strict_sniff_keeps_running_text_out_of_conll(tmp_path: Path):
    poem = tmp_path / "poem.txt"
    poem.write_text("one two three\n\nfour five\n", encoding="utf-8")
    assert detect_kind(poem) == "conll"  # loose: data check can then point at a bad line
    assert text_kind(poem) == "text"
    assert list(iter_texts(poem)) == ["one two three", "", "four five"]
    ner = tmp_path / "ner.txt"
    ner.write_text("Mary B-PER\nwent O\n\nHi O\n", encoding="utf-8")
    assert text_kind(ner) == "conll" and list(iter_texts(ner)) == ["Mary went", "Hi"]


def test_texts_of_every_text_format(resources: Path, tmp_path: Path):
    io = resources / "io"
    assert next(iter_texts(io / "sib_sample.tsv"))
    jsonl = list(iter_texts(io / "sample.jsonl"))
    assert jsonl and not any(t.lstrip().startswith("{") for t in jsonl)  # the text field, not the JSON
    csv = list(iter_texts(io / "nusax_sample.csv"))
    assert csv and "," not in csv[0][:1]
    assert list(iter_texts(io / "bible_sample.xml"))
    pairs = tmp_path / "p.txt"
    pairs.write_text("a b ||| c d e\n", encoding="utf-8")
    assert [s.tokens for s in iter_tokens(pairs)] == [("c", "d", "e")]
    assert list(iter_texts(pairs)) == ["c d e"]  # the target side, not the raw line
    assert list(iter_texts(pairs, "text")) == ["a b ||| c d e"]


def test_a_registered_plugin_format_is_detected_read_and_checked(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(formats, "FORMATS", dict(formats.FORMATS))
    formats.register_format(
        formats.DataFormat("lines-upper", "upper-cased lines", (".upp",), texts="xlt.io.texts:line_texts")
    )
    path = tmp_path / "a.upp"
    path.write_text("HELLO\nWORLD\n", encoding="utf-8")
    assert detect_kind(path) == "lines-upper"
    assert list(iter_texts(path)) == ["HELLO", "WORLD"]
    with pytest.raises(Exception, match="has no read function"):
        formats.get_format("lines-upper").function("read")


def test_text_files_are_checked(tmp_path: Path):
    path = tmp_path / "t.txt"
    path.write_text("Ẹ kú àárọ̀\n\nGood morning\n", encoding="utf-8")
    stats = check_file(path, "text")
    assert stats["lines"] == 3 and stats["empty_lines"] == 1 and stats["tokens"] == 5
    empty = tmp_path / "e.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(Exception, match=r"e\.txt.*empty"):
        check_file(empty, "text")
