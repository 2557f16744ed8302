"""Property-based round trips: what a writer writes, the matching reader reads back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlt.io.classification import read_classification, write_jsonl
from xlt.io.conll import read_conll, repair_bio, write_conll
from xlt.io.conllu import UDEmptyNode, UDMultiword, UDSentence, UDToken, read_conllu, write_conllu
from xlt.io.parallel import read_bible, read_parallel, write_bible_tsv, write_parallel
from xlt.io.pharaoh import read_pharaoh, write_pharaoh
from xlt.types import Alignment, LabeledSentence, SentencePair, TextExample

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# no whitespace, controls, format characters (BOM) or surrogates inside a token
_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"))
token = st.text(_CHARS, min_size=1, max_size=8).filter(lambda t: not t.startswith("-DOCSTART-"))
field_text = st.text(_CHARS, min_size=1, max_size=10)
bio_label = st.sampled_from(["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-DATE", "I-DATE"])
pos_label = st.sampled_from(["NOUN", "VERB", "ADJ", "PUNCT", "X"])


@pytest.fixture(scope="module")
def rt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


@st.composite
def conll_sentences(draw: st.DrawFn) -> list[LabeledSentence]:
    labels_kind = draw(st.sampled_from(["bio", "pos"]))
    out = []
    for _ in range(draw(st.integers(1, 4))):
        toks = draw(st.lists(token, min_size=1, max_size=6))
        if labels_kind == "bio":
            labs = repair_bio(draw(st.lists(bio_label, min_size=len(toks), max_size=len(toks))))
        else:
            labs = draw(st.lists(pos_label, min_size=len(toks), max_size=len(toks)))
        out.append(LabeledSentence(tuple(toks), tuple(labs)))
    return out


@SETTINGS
@given(conll_sentences(), st.sampled_from([" ", "\t"]), st.sampled_from([".txt", ".txt.gz"]))
def test_conll_roundtrip(rt_dir, sents, delimiter, suffix):
    path = rt_dir / ("f" + suffix)
    write_conll(sents, path, delimiter=delimiter)
    back = read_conll(path)
    assert [(s.tokens, s.labels) for s in back] == [(s.tokens, s.labels) for s in sents]


feats = st.dictionaries(
    st.from_regex(r"[A-Z][a-z]{1,5}", fullmatch=True),
    st.from_regex(r"[A-Z][a-z0-9]{0,4}", fullmatch=True),
    max_size=3,
)
form = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Cf")), min_size=1, max_size=8
).filter(lambda t: t.strip() == t)


@st.composite
def ud_sentences(draw: st.DrawFn) -> UDSentence:
    n = draw(st.integers(1, 6))
    tokens = tuple(
        UDToken(
            i,
            draw(form),
            draw(st.sampled_from(["_", "lemma"])),
            draw(st.sampled_from(["NOUN", "VERB", "PUNCT"])),
            "_",
            draw(feats),
            draw(st.one_of(st.none(), st.integers(0, n))),
            draw(st.sampled_from(["root", "nsubj", "obl:tmod", "_"])),
            "_",
            draw(st.sampled_from(["_", "SpaceAfter=No"])),
        )
        for i in range(1, n + 1)
    )
    mwts = (UDMultiword(1, 2, draw(form)),) if n >= 2 and draw(st.booleans()) else ()
    empties = ()
    if draw(st.booleans()):
        k = draw(st.integers(0, n))
        empties = (UDEmptyNode(k, 1, (f"{k}.1", "e", "_", "_", "_", "_", "_", "_", f"{max(k, 1)}:dep", "_")),)
    sid = draw(st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True))
    text = draw(st.one_of(st.none(), form))
    return UDSentence(tokens, sid, text, (), mwts, empties)


@SETTINGS
@given(st.lists(ud_sentences(), min_size=1, max_size=4))
def test_conllu_roundtrip(rt_dir, sents):
    path = rt_dir / "f.conllu"
    write_conllu(sents, path)
    back = read_conllu(path)

    def key(s: UDSentence) -> tuple:
        return (s.tokens, s.sent_id, s.text, s.multiwords, s.empty_nodes)

    assert [key(s) for s in back] == [key(s) for s in sents]
    second = rt_dir / "g.conllu"
    write_conllu(back, second)  # written comments are kept verbatim: byte-identical
    assert second.read_bytes() == path.read_bytes()


links = st.frozensets(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=8)


@SETTINGS
@given(st.lists(st.tuples(links, links), min_size=1, max_size=5), st.booleans())
def test_pharaoh_roundtrip(rt_dir, pairs, one_based):
    aligns = [Alignment(s, p - s) for s, p in pairs]
    path = rt_dir / "f.align"
    write_pharaoh(aligns, path, one_based=one_based)
    assert read_pharaoh(path, one_based=one_based) == aligns


parallel_token = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp"), blacklist_characters=" \t|"),
    min_size=1,
    max_size=6,
)


@SETTINGS
@given(
    st.lists(
        st.builds(
            SentencePair,
            st.lists(parallel_token, min_size=1, max_size=5).map(tuple),
            st.lists(parallel_token, min_size=1, max_size=5).map(tuple),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_parallel_roundtrip(rt_dir, pairs):
    path = rt_dir / "f.txt"
    write_parallel(pairs, path)
    assert [(p.src, p.tgt) for p in read_parallel(path)] == [(p.src, p.tgt) for p in pairs]


text_value = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20).filter(str.strip)


@SETTINGS
@given(
    st.lists(
        st.builds(
            TextExample,
            text_value,
            st.one_of(st.none(), st.sampled_from(["pos", "neg", "neutral"])),
            st.one_of(st.none(), text_value),
            st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
            st.dictionaries(st.sampled_from(["lang", "source", "split"]), st.text(max_size=5), max_size=2),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_jsonl_roundtrip(rt_dir, examples):
    path = rt_dir / "f.jsonl"
    write_jsonl(examples, path)
    back = read_classification(path)
    assert back == examples
    assert [e.meta for e in back] == [e.meta for e in examples]


verse_id = st.builds(
    lambda b, c, v: f"b.{b}.{c}.{v}",
    st.sampled_from(["MAT", "GEN", "1CO"]),
    st.integers(1, 50),
    st.integers(1, 80),
)
verse_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30).map(
    lambda t: " ".join(t.split())
)


@SETTINGS
@given(st.dictionaries(verse_id, verse_text, min_size=1, max_size=8))
def test_bible_tsv_roundtrip(rt_dir, verses):
    path = rt_dir / "b.verses.tsv"
    write_bible_tsv(verses, path)
    assert read_bible(path) == verses
