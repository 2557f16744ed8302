"""Hostile corpus, class 'accepted but doubtful': each input is a clear error naming file and line,
or is accepted by a documented rule with one warning and a count (docs/robustness.md)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from xlt.errors import DataFormatError
from xlt.io.classification import read_classification
from xlt.io.conll import read_conll
from xlt.io.conllu import read_conllu

W = "\tw\tw\tNOUN\t_\t_\t0\troot\t_\t_\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


JSONL_LABELS = {
    "null": ('{"text": "a", "label": "x"}\n{"text": "b", "label": null}\n', "is null"),
    "empty": ('{"text": "a", "label": ""}\n', "is empty"),
    "blank": ('{"text": "a", "label": "x"}\n{"text": "b", "label": "  "}\n', "is empty"),
    "object": ('{"text": "a", "label": "x"}\n{"text": "b", "label": {"name": "x"}}\n', "is an object"),
    "array": ('{"text": "a", "label": ["x", "y"]}\n', "is an array"),
    "bool": ('{"text": "a", "label": true}\n', "is bool"),
    "float": ('{"text": "a", "label": 0.5}\n', "is float"),
}


@pytest.mark.parametrize("case", sorted(JSONL_LABELS))
def test_jsonl_labels_that_are_not_labels(tmp_path: Path, case: str) -> None:
    text, what = JSONL_LABELS[case]
    path = _write(tmp_path / "train.jsonl", text)
    with pytest.raises(DataFormatError, match=what) as info:
        read_classification(path)
    assert info.value.line == text.count("\n")
    assert "expected" in str(info.value)


def test_jsonl_integer_labels_and_unlabelled_files_are_fine(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "a", "label": 3}\n{"text": "b", "label": "x"}\n')
    assert [e.label for e in read_classification(path)] == ["3", "x"]
    path = _write(tmp_path / "b.jsonl", '{"text": "a"}\n')
    assert [e.label for e in read_classification(path)] == [None]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("t.tsv", "text\tlabel\na\tx\nb\t\n", 3),
        ("t.tsv", "text\tlabel\na\t  \n", 2),
        ("t.csv", 'text,label\na,x\n"b",""\n', 3),
    ],
    ids=["tsv-empty", "tsv-blank", "csv-empty"],
)
def test_table_empty_labels_are_errors(tmp_path: Path, name: str, text: str, line: int) -> None:
    with pytest.raises(DataFormatError, match="empty label") as info:
        read_classification(_write(tmp_path / name, text))
    assert info.value.line == line


def test_empty_texts_are_kept_with_one_warning_and_a_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path / "t.tsv", "text\tlabel\na\tx\n \ty\n\tz\nb\tx\n")
    with caplog.at_level(logging.WARNING, logger="xlt"):
        examples = read_classification(path)
    assert [e.text for e in examples] == ["a", "", "", "b"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2 example(s) with an empty text" in warnings[0] and "line 3" in warnings[0]
    with pytest.raises(DataFormatError, match="empty text"):
        read_classification(path, empty_text="error")


def test_write_jsonl_round_trips_unlabelled_examples(tmp_path: Path) -> None:
    from xlt.io.classification import write_jsonl
    from xlt.types import TextExample

    path = tmp_path / "o.jsonl"
    write_jsonl([TextExample("a", None), TextExample("b", "x")], path)
    assert "label" not in json.loads(path.read_text().splitlines()[0])
    assert [e.label for e in read_classification(path)] == [None, "x"]


CONLLU = {
    "overlap-inside": (
        "1-3\tabc" + "\t_" * 8 + "\n1" + W + "2-3\tbc" + "\t_" * 8 + "\n2" + W + "3" + W + "\n",
        3,
    ),
    "overlap-same-start": (
        "1-2\tab" + "\t_" * 8 + "\n1-3\tabc" + "\t_" * 8 + "\n1" + W + "2" + W + "3" + W + "\n",
        2,
    ),
    "range-past-words": ("1-3\tabc" + "\t_" * 8 + "\n1" + W + "2" + W + "\n", 1),
}


@pytest.mark.parametrize("case", sorted(CONLLU))
def test_conllu_multiword_ranges(tmp_path: Path, case: str) -> None:
    text, line = CONLLU[case]
    with pytest.raises(DataFormatError, match=r"overlaps|exceeds") as info:
        read_conllu(_write(tmp_path / "a.conllu", text))
    assert info.value.line == line


def test_conllu_adjacent_ranges_are_fine(tmp_path: Path) -> None:
    text = "1-2\tab" + "\t_" * 8 + "\n1" + W + "2" + W + "3-4\tcd" + "\t_" * 8 + "\n3" + W + "4" + W + "\n"
    (sent,) = read_conllu(_write(tmp_path / "a.conllu", text))
    assert [(m.start, m.end) for m in sent.multiwords] == [(1, 2), (3, 4)]


@pytest.mark.parametrize(
    ("reader", "name", "text", "what"),
    [
        (read_conllu, "a.conllu", "# sent_id = 1\n# text = hello\n", "only comment lines"),
        (read_conllu, "b.conllu", "# a\n# b\n# c", "only comment lines"),
        (read_conllu, "c.conllu", "1" + W + "\n# trailing = x\n", "comment lines after the last sentence"),
        (read_conll, "d.conll", "# id = 1\n# text = a b c\n\n# id = 2\n", "only comment lines"),
    ],
    ids=["conllu-comments", "conllu-no-newline", "conllu-trailing", "conll-comments"],
)
def test_files_of_only_comments(tmp_path: Path, reader, name: str, text: str, what: str) -> None:
    with pytest.raises(DataFormatError, match=what) as info:
        reader(_write(tmp_path / name, text))
    assert info.value.path is not None and info.value.path.endswith(name)
