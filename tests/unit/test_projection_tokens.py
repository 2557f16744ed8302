"""Token-level projection policies and multi-source voting."""

import pytest

from xlt.errors import ConfigError, MismatchError
from xlt.projection import projectors, vote
from xlt.projection.multisource import weights_from_scores
from xlt.types import Alignment, LabeledSentence, Lang, LangScore, Sentence


def L(tokens, labels, **meta):
    return LabeledSentence(
        tuple(tokens.split()), tuple(None if x == "-" else x for x in labels.split()), meta=meta
    )


def A(links, scores=None):
    return Alignment(sure=frozenset(links), scores=scores)


SRC = L("the big dog barks", "DET ADJ NOUN VERB")
TGT = Sentence(("der", "Hund", "bellt", "laut"))


def test_one_to_one_and_unaligned_policies():
    links = [(0, 0), (2, 1), (3, 2)]
    out = projectors.build("tokens", {}).project([SRC], [TGT], [A(links)])[0]
    assert out.labels == ("DET", "NOUN", "VERB", None)
    assert out.meta["confidence"] == (1.0, 1.0, 1.0, 0.0)
    out = projectors.build("tokens", {"unaligned": "default", "default_label": "X"}).project(
        [SRC], [TGT], [A(links)]
    )[0]
    assert out.labels[-1] == "X"


def test_many_to_one_policies():
    links = [(1, 1), (2, 1)]  # "big dog" -> "Hund"
    scores = {(1, 1): 0.9, (2, 1): 0.5}
    cases = {
        "majority": "ADJ",  # tie on counts broken by link weight (0.9 > 0.5)
        "first": "ADJ",
        "best-link": "ADJ",
        "drop-conflicts": None,
    }
    for policy, expected in cases.items():
        proj = projectors.build("tokens", {"many_to_one": policy})
        out = proj.project([SRC], [TGT], [A(links, scores)])[0]
        assert out.labels[1] == expected, policy
    proj = projectors.build("tokens", {})
    out = proj.project([SRC], [TGT], [A(links, scores)])[0]
    assert out.meta["confidence"][1] == pytest.approx(0.9 / 1.4)
    assert proj.stats_["many_to_one_conflicts"] == 1
    assert proj.stats_["coverage"] == pytest.approx(1 / 4)


def test_vote_tokens_weighted():
    a = L("x y z", "NOUN VERB -")
    b = L("x y z", "NOUN NOUN -")
    c = L("x y z", "ADJ NOUN DET")
    out = vote([[a], [b], [c]], weights=[3.0, 1.0, 1.0])[0]
    assert out.labels == ("NOUN", "VERB", "DET")
    out = vote([[a], [b], [c]])[0]
    assert out.labels == ("NOUN", "NOUN", "DET")


def test_vote_spans_rebuilds_valid_bio():
    a = L("New York Times said", "B-ORG I-ORG I-ORG O")
    b = L("New York Times said", "B-LOC I-LOC B-ORG O")
    c = L("New York Times said", "B-ORG I-ORG I-ORG O")
    out = vote([[a], [b], [c]])[0]
    assert out.labels == ("B-ORG", "I-ORG", "I-ORG", "O")
    out = vote([[a], [b], [c]], weights=[0.1, 5.0, 0.1])[0]
    assert out.labels == ("B-LOC", "I-LOC", "B-ORG", "O")
    # adjacent same-type entities stay apart when the voters mark a B
    d = L("Bob Ann", "B-PER B-PER")
    assert vote([[d], [d]])[0].labels == ("B-PER", "B-PER")


def test_vote_checks():
    a = L("x y", "A B")
    with pytest.raises(MismatchError):
        vote([[a], [L("x z", "A B")]])
    with pytest.raises(ConfigError):
        vote([[a], [a]], weights=[1.0])
    with pytest.raises(ConfigError):
        vote([])


def test_weights_from_rank_scores():
    scores = [LangScore(Lang("deu", given="de"), 2.0), LangScore(Lang("fra", given="fr"), 1.0)]
    assert weights_from_scores(scores, ["de", "fr", "xx"]) == [1.0, 0.05, 0.05]
