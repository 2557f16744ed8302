"""xlt.io.pharaoh: Pharaoh links, gold sets, XL-WA and NAACL files."""

from __future__ import annotations

import pytest

from xlt.errors import DataFormatError, MismatchError
from xlt.io.pharaoh import (
    format_pharaoh,
    parse_pharaoh,
    read_gold_alignment_set,
    read_naacl,
    read_pharaoh,
    read_xlwa,
    write_pharaoh,
)
from xlt.types import Alignment, SentencePair


def test_parse_sure_possible_scores():
    a = parse_pharaoh("0-0 1p2 2-1-0.75 3?3")
    assert a.sure == {(0, 0), (2, 1)}
    assert a.possible == {(1, 2), (3, 3)}
    assert a.scores == {(2, 1): 0.75}
    one = parse_pharaoh("1-1 2p3", one_based=True)
    assert one.sure == {(0, 0)} and one.possible == {(1, 2)}


def test_format_sorted_and_roundtrip(tmp_path):
    a = Alignment(frozenset({(2, 1), (0, 0)}), frozenset({(1, 1)}))
    assert format_pharaoh(a) == "0-0 1p1 2-1"
    assert format_pharaoh(a, include_possible=False, one_based=True) == "1-1 3-2"
    path = tmp_path / "a.align"
    write_pharaoh([a, Alignment()], path)
    assert read_pharaoh(path) == [a, Alignment()]


def test_gold_set(resources):
    items = read_gold_alignment_set(
        resources / "io" / "gold_sample.src-tgt", resources / "io" / "gold_sample.gold"
    )
    assert len(items) == 2
    pair, align = items[1]
    assert pair.src == ("the", "blue", "house")
    assert align.sure == {(0, 0), (2, 1), (1, 2)} and align.possible == set()  # 2p3 is also sure
    assert items[0][1].sure == {(0, 0), (1, 1)}


def test_bounds_and_counts_checked(tmp_path):
    pairs = [SentencePair(("a", "b"), ("c",))]
    path = tmp_path / "g.txt"
    path.write_text("0-0 1-1\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"g.txt:1: link '1-1': target index out of range"):
        read_pharaoh(path, pairs=pairs)
    path.write_text("0-0\n0-0\n", encoding="utf-8")
    with pytest.raises(MismatchError):
        read_pharaoh(path, pairs=pairs)


def test_xlwa(resources):
    items = read_xlwa(resources / "io" / "xlwa_sample.tsv")
    assert items[0][0].tgt == ("Il", "gatto", ".") and items[0][1].sure == {(0, 0), (1, 1), (2, 2)}


def test_naacl(tmp_path):
    path = tmp_path / "ref.wa"
    path.write_text("1 0 0 S\n1 1 2 P\n3 0 1\n", encoding="utf-8")
    out = read_naacl(path)
    assert len(out) == 3 and out[1] == Alignment()
    assert out[0].sure == {(0, 0)} and out[0].possible == {(1, 2)} and out[2].sure == {(0, 1)}


def test_out_of_range_drop_is_counted(tmp_path, caplog):
    from xlt.io.conll import RepairReport

    pairs = [SentencePair(("a", "b"), ("c",))]
    path = tmp_path / "g.txt"
    path.write_text("0-0 1-0 1-4\n", encoding="utf-8")
    report = RepairReport()
    (a,) = read_pharaoh(path, pairs=pairs, out_of_range="drop", report=report)
    assert a.sure == {(0, 0), (1, 0)}
    assert report.counts == {"out-of-range link dropped": 1} and "g.txt:1" in report.examples[0]
    assert "1 repairs" in caplog.text


@pytest.mark.parametrize(
    "line", ["0-1 2-2", " 3-0\t1-1 ", "", "0-1 2p3", "1-1-0.5 0-0", "0-1 2?2", "1--2", "1-2-3 4", "٣-1"]
)
def test_fast_and_general_link_parsing_agree(line):
    """Plain `i-j` lines take a fast path; every other line the per-link parser with its errors."""
    from xlt.io.pharaoh import _LINK, parse_links

    items = line.split()
    if all(_LINK.match(item) for item in items):
        parsed = parse_pharaoh(line)
        assert parse_links(line) == set(parsed.sure | parsed.possible)
        sure = {(int(a), int(b)) for a, b in (item.split("-")[:2] for item in items if "-" in item)}
        assert parsed.sure == sure
    else:
        with pytest.raises(DataFormatError, match="bad alignment link"):
            parse_links(line, path="x.txt", lineno=3)
    with pytest.raises(DataFormatError, match="out of range"):
        parse_pharaoh("0-1 5-1", src_len=3)
