"""eflomal aligner: a small real run, dictionary priors, long sentences, missing dependency."""

import builtins
import sys

import pytest

from xlt.alignment import aligners
from xlt.alignment.dictionary import iter_dictionary
from xlt.alignment.eflomal import split_long, to_alignment
from xlt.errors import MissingDependencyError
from xlt.types import SentencePair

pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")

CORPUS = [
    ("the house is small", "das haus ist klein"),
    ("the house is big", "das haus ist groß"),
    ("a small car", "ein kleines auto"),
    ("the car is red", "das auto ist rot"),
    ("the dog is small", "der hund ist klein"),
    ("a big dog", "ein großer hund"),
]
PAIRS = [SentencePair(tuple(s.split()), tuple(t.split())) for s, t in CORPUS] * 8
FAST = {"rel_iterations": 0.05, "n_samplers": 1}


def test_align_returns_one_alignment_per_pair_in_order():
    # eflomal's sampler is unseeded: enough iterations and samplers that house-haus is stable
    aligner = aligners.build("eflomal", {"rel_iterations": 0.5, "n_samplers": 3})
    pairs = [*PAIRS[:3], SentencePair((), ("leer",)), PAIRS[3]]
    out = aligner.align(pairs, extra=PAIRS[4:])
    assert len(out) == 5
    assert out[3].sure == frozenset()
    for pair, a in zip(pairs, out, strict=True):
        assert all(0 <= i < len(pair.src) and 0 <= j < len(pair.tgt) for i, j in a.sure)
    assert (1, 1) in out[0].sure  # house - haus
    assert all(0.5 <= s <= 1.0 for s in out[0].scores.values())


def test_dictionary_priors(tmp_path):
    d = tmp_path / "en-de.dict"
    d.write_text("haus @ house\nklein @ small\nzwei wörter @ two words\n", encoding="utf-8")
    assert list(iter_dictionary(d)) == [("house", "haus"), ("small", "klein")]
    aligner = aligners.build("eflomal", {**FAST, "dictionary": str(d)})
    lines = aligner._prior_lines(PAIRS)
    assert lines == ["LEX\thouse\thaus\t1\n", "LEX\tsmall\tklein\t1\n"]
    swapped = aligners.build("eflomal", {**FAST, "dictionary": str(d), "dictionary_swap": True})
    assert swapped._prior_lines([SentencePair(("haus",), ("house",))]) == ["LEX\thaus\thouse\t1\n"]
    assert len(aligner.align(PAIRS[:2], extra=PAIRS[2:])) == 2


def test_split_long_pairs():
    pair = SentencePair(tuple(f"s{i}" for i in range(2500)), tuple(f"t{i}" for i in range(2000)))
    segs = split_long(pair, limit=1000)
    assert len(segs) == 3
    assert sum(len(s.src) for _, _, s in segs) == 2500 and sum(len(s.tgt) for _, _, s in segs) == 2000
    assert all(len(s.src) <= 1000 for _, _, s in segs)
    assert split_long(PAIRS[0]) == [(0, 0, PAIRS[0])]


def test_to_alignment_scores():
    a = to_alignment({(0, 0), (1, 1)}, {(0, 0), (1, 2)}, "union")
    assert a.scores == {(0, 0): 1.0, (1, 1): 0.5, (1, 2): 0.5}


def test_missing_eflomal_is_a_clear_error(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "eflomal":
            raise ImportError("no eflomal")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "eflomal", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MissingDependencyError, match=r"xlt\[align\]"):
        aligners.build("eflomal", FAST).align(PAIRS[:2])


def test_chunked_alignment_keeps_order(monkeypatch):
    aligner = aligners.build("eflomal", {**FAST, "chunk_size": 1000})
    calls = []
    real_run = aligner._run

    def counting_run(train):
        calls.append(len(train))
        return real_run(train)

    monkeypatch.setattr(aligner, "_run", counting_run)
    pairs = PAIRS * 26  # 1248 pairs -> two eflomal runs, the second topped up with extra pairs
    out = aligner.align(pairs, extra=PAIRS)
    assert calls == [1000, 248 + len(PAIRS)]
    assert len(out) == len(pairs)
    assert sum((1, 1) in a.sure for a in out[:6]) >= 1 and sum((1, 1) in a.sure for a in out[-48:-42]) >= 1


def test_several_runs_are_voted(monkeypatch):
    aligner = aligners.build("eflomal", {**FAST, "n_runs": 3})
    runs = iter(
        [
            ([{(0, 0), (1, 1)}], [{(0, 0)}]),
            ([{(0, 0), (1, 2)}], [{(0, 0), (1, 1)}]),
            ([{(0, 0), (1, 1)}], [{(1, 1)}]),
        ]
    )
    monkeypatch.setattr(aligner, "_run", lambda train: next(runs))
    fwd, rev = aligner._voted_run(PAIRS[:1])
    assert fwd == [{(0, 0), (1, 1)}]  # (1, 2) was found once out of three
    assert rev == [{(0, 0), (1, 1)}]
