"""AER / precision / recall / F1 against a hand-made sure/possible gold."""

import pytest

from xlt.alignment.metrics import alignment_scores
from xlt.errors import MismatchError
from xlt.types import Alignment


def A(sure, possible=()):
    return Alignment(sure=frozenset(sure), possible=frozenset(possible))


def test_golden_single_sentence():
    gold = [A({(0, 0), (1, 1)}, {(2, 2)})]
    pred = [A({(0, 0), (2, 2), (1, 2)})]
    s = alignment_scores(pred, gold)
    # |A|=3, |S|=2, |A∩S|=1, |A∩P|=2
    assert s["precision"] == pytest.approx(2 / 3)
    assert s["recall"] == pytest.approx(1 / 2)
    assert s["f1"] == pytest.approx(4 / 7)
    assert s["aer"] == pytest.approx(1 - 3 / 5)


def test_corpus_level_micro_average():
    gold = [A({(0, 0)}), A({(0, 0), (1, 1), (2, 2)})]
    pred = [A({(0, 0)}), A({(0, 0)})]
    s = alignment_scores(pred, gold)
    assert s["precision"] == 1.0
    assert s["recall"] == pytest.approx(2 / 4)
    assert s["aer"] == pytest.approx(1 - 4 / 6)


def test_perfect_and_possible_only_links():
    gold = [A({(0, 0)}, {(1, 1)})]
    assert alignment_scores([A({(0, 0)})], gold)["aer"] == 0.0
    assert alignment_scores([A({(0, 0), (1, 1)})], gold)["aer"] == 0.0
    assert alignment_scores([A(set())], gold)["recall"] == 0.0


def test_mismatch():
    with pytest.raises(MismatchError):
        alignment_scores([A(set())], [])
