"""Transfer tables: reading, validation (file:line errors), relevance."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from xlt.errors import DataFormatError
from xlt.io.tables import average_positions, read_transfer_table, write_transfer_table
from xlt.languages.codes import resolve as resolve_language


def write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_scores_table(resources: Path) -> None:
    table = read_transfer_table(resources / "ranking" / "scores.csv")
    assert table.kind == "scores"
    assert [str(t) for t in table.targets] == ["deu", "fra", "hau", "yor", "swa", "wol"]
    assert len(table.sources) == 12 and table.values.shape == (12, 6)
    assert len(table.digest) == 64
    # the target itself is never a candidate; swa (table) == swh (canonical)
    swa = resolve_language("swh")
    assert swa not in [s for s, _ in table.candidates(swa)]
    assert len(table.candidates(swa)) == 11


def test_ranks_table_auto_and_relevance(tmp_path: Path) -> None:
    path = write(
        tmp_path, ",x1,x2\neng,0,2\ndeu,1,0\nfra,2,1\nspa,3,3\n".replace("x1", "eng").replace("x2", "deu")
    )
    table = read_transfer_table(path)
    assert table.kind == "ranks"
    rel = table.relevance(resolve_language("eng"), top=2)
    assert rel == {resolve_language("deu"): 2, resolve_language("fra"): 1, resolve_language("spa"): 0}


def test_relevance_ties_and_scores(tmp_path: Path) -> None:
    path = write(tmp_path, ",eng\nfra,90\ndeu,80\nspa,80\nita,10\n")
    table = read_transfer_table(path, kind="scores")
    rel = table.relevance(resolve_language("eng"), top=3)
    # positions 1, 2.5, 2.5, 4 -> 3, round(1.5)=2 (half up), 2, 0
    assert (
        rel[resolve_language("fra")] == 3
        and rel[resolve_language("deu")] == rel[resolve_language("spa")] == 2
    )
    assert rel[resolve_language("ita")] == 0


def test_missing_cells_and_transpose(tmp_path: Path) -> None:
    path = write(tmp_path, "source,eng,deu\nfra,1,\nspa,NA,2\n")
    table = read_transfer_table(path, kind="scores")
    assert math.isnan(table.values[0, 1]) and math.isnan(table.values[1, 0])
    flipped = read_transfer_table(path, kind="scores", transpose=True)
    assert [str(s) for s in flipped.sources] == ["eng", "deu"] and flipped.values.shape == (2, 2)


def test_without_target() -> None:
    from xlt.io.tables import TransferTable

    t = TransferTable(
        (resolve_language("eng"), resolve_language("fra")),
        (resolve_language("eng"), resolve_language("fra")),
        np.array([[0.0, 1.0], [1.0, 0.0]]),
        "ranks",
    )
    reduced = t.without_target(resolve_language("fra"))
    assert [str(x) for x in reduced.targets] == ["eng"] and reduced.sources == t.sources


@pytest.mark.parametrize(
    ("text", "line", "match"),
    [
        ("", None, "empty file"),
        ("x,eng\nfra,1\n", 1, "corner cell"),
        (",eng,deu\nfra,1\n", 2, "expected 3 comma-separated cells"),
        (",eng\nfra,abc\n", 2, "expected a number"),
        (",eng\nfra,inf\n", 2, "finite"),
        (",eng\nxqx,1\n", 2, "row code 'xqx'"),
        (",qqq\nfra,1\n", 1, "column code 'qqq'"),
        (",swa,swh\nfra,1,2\n", 1, "same language"),
        (",eng\n", 1, "no data rows"),
        (",eng\nfra,\n", None, "no numbers"),
    ],
)
def test_malformed_tables(tmp_path: Path, text: str, line: int | None, match: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataFormatError, match=match) as info:
        read_transfer_table(path)
    assert info.value.line == line and info.value.path == str(path)


def test_duplicate_rows(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="same language"):
        read_transfer_table(write(tmp_path, ",eng\nnor,1\nnob,2\n"))


def test_write_round_trip(tmp_path: Path, resources: Path) -> None:
    table = read_transfer_table(resources / "ranking" / "scores.csv")
    out = tmp_path / "copy.csv.gz"
    write_transfer_table(table, out)
    again = read_transfer_table(out)
    assert again.sources == table.sources and again.targets == table.targets
    assert np.allclose(again.values, table.values, equal_nan=True)


def test_average_positions() -> None:
    assert list(average_positions(np.array([3.0, 1.0, 1.0, 2.0]))) == [4.0, 1.5, 1.5, 3.0]


@pytest.mark.data
def test_shared_masakhaner_rank_table(shared_data: Path) -> None:
    """The shared MasakhaNER 2.0 table: every code maps, nothing lacks typology data."""
    from xlt.ranking.features import TYPOLOGY_FEATURES, FeatureExtractor

    table = read_transfer_table(shared_data / "masakhaner2" / "transfer_ranks.csv")
    assert table.kind == "ranks" and len(table.sources) == 42 and len(table.targets) == 38
    codes = {str(t): t.code for t in table.targets}
    assert codes["swa"] == "swh" and codes["nor"] == "nob" and codes["fas"] == "pes" and codes["lav"] == "lvs"
    assert FeatureExtractor(TYPOLOGY_FEATURES).missing_report([*table.sources, *table.targets]) == {}
    for target in table.targets:
        rel = table.relevance(target)
        assert len(rel) == 41 and max(rel.values()) == 10
        assert 9 <= sum(r > 0 for r in rel.values()) <= 11  # top-10 graded (ties can shift one)
