"""Every registered ranker obeys the LanguageRanker contract."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import xlt.ranking  # noqa: F401  (registers the built-in rankers)
from xlt.io.tables import read_transfer_table
from xlt.languages.codes import resolve as resolve_language
from xlt.ranking.base import LanguageRanker, rankers
from xlt.types import LangScore

NAMES = rankers.names()
FAST = {
    "lambdarank": {"n_estimators": 10},
    "lambdarank-auto": {"n_estimators": 5, "candidate_features": [["uriel"], ["geography", "genealogy"]]},
}


@pytest.fixture(scope="module")
def table():
    return read_transfer_table(Path(__file__).parents[1] / "resources" / "ranking" / "scores.csv")


def build(name: str):
    return rankers.build(name, dict(FAST.get(name, {})))


def test_registry_has_baselines_and_learned() -> None:
    assert {"lambdarank", "rank-average", "geographic", "syntactic", "genealogical"} <= set(NAMES)
    for entry in rankers:
        assert entry.reference and entry.description and entry.config is not None


@pytest.mark.parametrize("name", NAMES)
def test_fit_rank_types_and_order(name: str, table) -> None:
    ranker = build(name)
    assert isinstance(ranker, LanguageRanker)
    assert ranker.fit(table) is ranker
    target = resolve_language("wol")
    cands = [resolve_language(c) for c in ("fra", "hau", "wol", "swa", "eng")]
    out = ranker.rank(target, cands)
    assert all(isinstance(s, LangScore) for s in out)
    assert [s.language for s in out if s.language == target] == []
    assert sorted(s.language.code for s in out) == ["eng", "fra", "hau", "swh"]
    assert {s.language.given for s in out} == {"fra", "hau", "swa", "eng"}  # user's spelling kept
    scores = [s.score for s in out if not np.isnan(s.score)]
    assert scores == sorted(scores, reverse=True)
    assert ranker.rank(target, []) == []


@pytest.mark.parametrize("name", NAMES)
def test_deterministic(name: str, table) -> None:
    target, cands = resolve_language("hau"), list(table.sources)
    a = build(name).fit(table).rank(target, cands)
    b = build(name).fit(table).rank(target, cands)
    assert [(s.language, s.score) for s in a] == [(s.language, s.score) for s in b]


@pytest.mark.parametrize("name", NAMES)
def test_config_yaml_round_trip(name: str, tmp_path: Path) -> None:
    cls = rankers.config_class(name)
    cfg = build(name).config
    path = tmp_path / "cfg.yaml"
    cfg.save_yaml(path)
    assert cls.from_yaml(path) == cfg
    assert rankers.build(name, cfg.to_dict()).config == cfg


@pytest.mark.parametrize("name", NAMES)
def test_inputs_not_mutated(name: str, table) -> None:
    before_values = table.values.copy()
    before_sources = table.sources
    cands = [resolve_language(c) for c in ("fra", "hau", "swa")]
    cands_copy = copy.deepcopy(cands)
    ranker = build(name).fit(table)
    ranker.rank(resolve_language("yor"), cands)
    assert np.array_equal(table.values, before_values, equal_nan=True) and table.sources == before_sources
    assert cands == cands_copy and [c.given for c in cands] == [c.given for c in cands_copy]
