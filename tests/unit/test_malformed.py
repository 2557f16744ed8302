"""Malformed input: every reader fails with an XltError that names the file and (where it has one) the line."""

from __future__ import annotations

import contextlib
import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlt.errors import DataFormatError, MismatchError, XltError
from xlt.io.classification import read_classification
from xlt.io.conll import read_conll
from xlt.io.conllu import read_conllu
from xlt.io.detect import UnknownFormatError, detect_kind
from xlt.io.parallel import read_bible, read_parallel, read_parallel_files
from xlt.io.pharaoh import read_gold_alignment_set, read_naacl, read_pharaoh, read_xlwa
from xlt.languages.codes import resolve as resolve_language
from xlt.types import SentencePair

UD_OK = "1\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_"


def _ud(*lines: str) -> str:
    return "\n".join(lines) + "\n\n"


# (case id, file name, content (str or bytes), reader, expected line or None, message pattern)
CASES: list[tuple[str, str, str | bytes, Callable[[Path], object], int | None, str]] = [
    # --- CoNLL ---------------------------------------------------------------------------------
    ("conll-extra-column", "a.txt", "a\tO\nb\tO\tX\n", read_conll, 2, "expected 2 columns"),
    ("conll-truncated-line", "a.txt", "a O\nb O\nc\n", read_conll, 3, "expected 2 columns"),
    (
        "conll-strict-bio",
        "a.txt",
        "a O\nb I-PER\n",
        lambda p: read_conll(p, repair="strict"),
        2,
        "invalid IOB2",
    ),
    (
        "conll-not-bio-label",
        "a.txt",
        "a O\nb X-PER\n",
        lambda p: read_conll(p, scheme="bio"),
        2,
        "not a BIO label",
    ),
    ("conll-bad-utf8", "a.txt", b"a O\n\xff\xfe O\n", read_conll, 2, "invalid UTF-8"),
    ("conll-missing-label-col", "a.txt", "a O\n", lambda p: read_conll(p, label_col=4), 1, "label column 4"),
    ("conll-empty-file", "a.txt", "\n\n", read_conll, None, "empty file"),
    # --- CoNLL-U -------------------------------------------------------------------------------
    ("conllu-bad-id", "a.conllu", _ud("x\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_"), read_conllu, 1, "bad ID"),
    ("conllu-id-sequence", "a.conllu", _ud(UD_OK, UD_OK), read_conllu, 2, "out of sequence"),
    ("conllu-bad-head", "a.conllu", _ud("1\tA\ta\tNOUN\t_\t_\tx\troot\t_\t_"), read_conllu, 1, "HEAD 'x'"),
    ("conllu-head-range", "a.conllu", _ud("1\tA\ta\tNOUN\t_\t_\t7\troot\t_\t_"), read_conllu, 1, "outside"),
    (
        "conllu-9-columns",
        "a.conllu",
        _ud("1\tA\ta\tNOUN\t_\t_\t0\troot\t_"),
        read_conllu,
        1,
        "10 tab-separated",
    ),
    ("conllu-bad-feats", "a.conllu", _ud("1\tA\ta\tNOUN\t_\tCase\t0\troot\t_\t_"), read_conllu, 1, "FEATS"),
    ("conllu-comment-inside", "a.conllu", _ud(UD_OK, "# x", UD_OK), read_conllu, 2, "comment line inside"),
    ("conllu-bad-range", "a.conllu", _ud("1-1\tAB\t_\t_\t_\t_\t_\t_\t_\t_", UD_OK), read_conllu, 1, "range"),
    ("conllu-empty-file", "a.conllu", "", read_conllu, None, "empty file"),
    # --- parallel text and Bibles --------------------------------------------------------------
    (
        "parallel-no-separator",
        "p.txt",
        "a ||| b\na b\n",
        read_parallel,
        2,
        "expected 'source \\|\\|\\| target'",
    ),
    ("parallel-empty-side", "p.txt", "a ||| b\na |||  \n", read_parallel, 2, "empty target side"),
    ("parallel-tsv-columns", "p.tsv", "a\tb\nc\td\te\n", read_parallel, 2, "expected 2 tab-separated"),
    ("parallel-blank-line", "p.txt", "a ||| b\n\nc ||| d\n", read_parallel, 2, "empty line"),
    ("bible-no-segs", "b.xml", "<cesDoc><text><body></body></text></cesDoc>\n", read_bible, None, "no <seg"),
    (
        "bible-bad-xml",
        "b.xml",
        '<cesDoc>\n<seg id="b.MAT.1.1">x</seg>\n<seg id="b">\n</cesDoc>\n',
        read_bible,
        4,
        "malformed XML",
    ),
    ("bible-dup-verse", "b.verses.tsv", "b.MAT.1.1\tx\nb.MAT.1.1\ty\n", read_bible, 2, "duplicate verse id"),
    ("bible-no-tab", "b.verses.tsv", "verse_id\ttext\nb.MAT.1.1 text\n", read_bible, 2, "verse_id<TAB>text"),
    # --- alignments ----------------------------------------------------------------------------
    ("pharaoh-non-integer", "a.align", "0-0 a-1\n", read_pharaoh, 1, "bad alignment link 'a-1'"),
    (
        "pharaoh-negative-1based",
        "a.align",
        "1-1\n0-1\n",
        lambda p: read_pharaoh(p, one_based=True),
        2,
        "1-based",
    ),
    (
        "pharaoh-out-of-range",
        "a.align",
        "0-0\n0-3\n",
        lambda p: read_pharaoh(p, pairs=[SentencePair(("a",), ("b",)), SentencePair(("a",), ("b", "c"))]),
        2,
        "target index out of range",
    ),
    ("xlwa-columns", "x.tsv", "a b\tc d\n", read_xlwa, 1, "expected 3 tab-separated"),
    ("xlwa-out-of-range", "x.tsv", "a b\tc\t0-0 2-0\n", read_xlwa, 1, "source index out of range"),
    ("naacl-bad-type", "r.wa", "1 0 0 S\n1 1 1 X\n", read_naacl, 2, "expected S or P"),
    # --- classification ------------------------------------------------------------------------
    (
        "sib-columns",
        "s.tsv",
        "index_id\tcategory\ttext\n1\tgeo\n",
        read_classification,
        2,
        "expected 3 columns",
    ),
    ("sib-no-text-column", "s.tsv", "a\tb\nx\ty\n", read_classification, 1, "no text column"),
    ("jsonl-bad-json", "c.jsonl", '{"text": "a"}\n{"text": \n', read_classification, 2, "invalid JSON"),
    ("jsonl-no-text", "c.jsonl", '{"txt": "a"}\n', read_classification, 1, "no text field"),
    ("csv-empty-label", "c.csv", "id,text,label\n1,hello,\n", read_classification, 2, "empty label"),
    ("classification-empty", "c.tsv", "", read_classification, None, "empty file"),
]


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "content", "reader", "line", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_input(tmp_path, name, content, reader, line, pattern):
    path = _write(tmp_path, name, content)
    with pytest.raises(DataFormatError) as info:
        reader(path)
    err = info.value
    assert isinstance(err, XltError)
    assert err.path is not None and Path(err.path).name == name
    assert err.line == line
    where = f"{name}:{line}: " if line is not None else f"{name}: "
    assert where in str(err)
    assert re.search(pattern, str(err)), str(err)


def test_truncated_gzip(tmp_path):
    data = gzip.compress(("tok O\n" * 5000).encode())
    path = tmp_path / "t.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match=r"t\.txt\.gz:\d+: cannot read compressed data"):
        read_conll(path)


def test_mismatched_parallel_lengths(tmp_path):
    src = _write(tmp_path, "s.txt", "a\nb\nc\n")
    tgt = _write(tmp_path, "t.txt", "x\ny\n")
    with pytest.raises(MismatchError, match=r"s\.txt has 3 lines but .*t\.txt has 2"):
        read_parallel_files(src, tgt)


def test_gold_set_line_count_mismatch(tmp_path):
    text = _write(tmp_path, "g.src-tgt", "a ||| b\nc ||| d\n")
    gold = _write(tmp_path, "g.gold", "1-1\n")
    with pytest.raises(MismatchError, match=r"g\.gold has 1 alignment lines but there are 2"):
        read_gold_alignment_set(text, gold)


def test_ambiguous_format(tmp_path):
    path = _write(tmp_path, "x.dat", "one two three four five six seven eight\n")
    with pytest.raises(DataFormatError, match=r"x\.dat: cannot tell the format") as info:
        detect_kind(path)
    assert "--kind" in str(info.value)
    assert isinstance(info.value, UnknownFormatError)  # what `xlt data check FOLDER` skips on


def test_unknown_language_code_in_table(tmp_path):
    tables = pytest.importorskip("xlt.io.tables")
    path = _write(tmp_path, "ranks.csv", ",wol,yor\nhau,1,2\nqqqzz,2,1\n")
    with pytest.raises(XltError, match=r"ranks\.csv:3: .*qqqzz"):
        tables.read_transfer_table(path)


def test_unknown_language_code_parse():
    pytest.importorskip("xlt.languages.codes")
    from xlt.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="qqqzz"):
        resolve_language("qqqzz")


# --- fuzzing: whatever the bytes, a reader returns or raises an XltError (never IndexError & co.) ---
_PIECES = ["\t", "\n", "\n\n", " ", "0", "1", "2", "-", "p", "|||", "#", "a", "B-PER", "I-LOC", "O", "_", "=",
           "1-2", "3.1", '<seg id="b.MAT.1.1">', "</seg>", "<x>", "verse_id\ttext\n", "text", ",", '"', "{", "}",
           '"text": ', "index_id\tcategory\ttext\n", "é", "\u3000", "S", ":"]  # fmt: skip
_FUZZ_READERS: dict[str, Callable[[Path], object]] = {
    "a.txt": read_conll,
    "a.conllu": read_conllu,
    "p.txt": read_parallel,
    "b.xml": read_bible,
    "b.tsv": read_bible,
    "a.align": read_pharaoh,
    "x.tsv": read_xlwa,
    "r.wa": read_naacl,
    "c.tsv": read_classification,
    "c.csv": read_classification,
    "c.jsonl": read_classification,
    "d.dat": detect_kind,
}


@pytest.mark.parametrize("name", sorted(_FUZZ_READERS))
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join), st.text(max_size=60)))
def test_fuzz_only_xlt_errors(tmp_path_factory, name, text):
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(XltError):  # any other exception fails the test
        _FUZZ_READERS[name](path)
