"""xlt.projection.multiword: learn how a treebank splits multiword tokens, split parallel text."""

from __future__ import annotations

from xlt.io.conllu import UDMultiword, UDSentence, UDToken, read_conllu
from xlt.projection.multiword import learn_multiword_splitter


def sentence(words: list[str], mwts: list[tuple[int, int, str]]) -> UDSentence:
    tokens = tuple(UDToken(i, w) for i, w in enumerate(words, 1))
    return UDSentence(tokens, multiwords=tuple(UDMultiword(a, b, f) for a, b, f in mwts))


def test_lexicon_from_the_sample_treebank(resources) -> None:
    splitter = learn_multiword_splitter(read_conllu(resources / "io" / "ud_sample.conllu"))
    assert splitter.lexicon["al"] == ("a", "el") and splitter.lexicon["vámonos"] == ("vamos", "nos")
    tokens, n = splitter.split(("Vamos", "al", "mar", "Al", "."))
    assert n == 2
    # the words come lower-cased, with a capital first letter where the token has one
    assert tokens == ("Vamos", "a", "el", "mar", "A", "el", ".")
    assert not splitter.segments  # two multiword tokens in ten words: no bound-group script


def test_a_form_mostly_written_as_one_word_stays_one() -> None:
    sents = [sentence(["de", "el"], [(1, 2, "del")])] + [sentence(["del"], [])] * 2
    splitter = learn_multiword_splitter(sents)
    assert "del" not in splitter.lexicon and splitter.split(("del",)) == (("del",), 0)
    # the most frequent analysis wins
    sents = [sentence(["a", "b"], [(1, 2, "ab")])] * 2 + [sentence(["ab", "x"], [(1, 2, "ab")])]
    assert learn_multiword_splitter(sents).lexicon["ab"] == ("a", "b")


def bound_groups() -> list[UDSentence]:
    """A bound-group orthography: every multiword token concatenates its words."""
    return [
        sentence(["a", "f", "sotm", "e", "pnoute"], [(1, 3, "afsotm"), (4, 5, "epnoute")]),
        sentence(["a", "s", "nau", "e", "prome"], [(1, 3, "asnau"), (4, 5, "eprome")]),
        sentence(["pnoute", "de"], []),
    ]


def test_unseen_bound_groups_are_segmented_into_known_words() -> None:
    splitter = learn_multiword_splitter(bound_groups())
    assert splitter.segments and splitter.stats["concatenative_share"] == 1.0
    # never seen as a whole: cut into the fewest known words, in the token's own case
    assert splitter.split_token("AFNAU") == ("A", "F", "NAU")
    assert splitter.split_token("eprome") == ("e", "prome")  # from the lexicon
    # known words and tokens with no analysis stay whole; a cut needs a host word (>= 3 letters)
    assert splitter.split_token("pnoute") is None and splitter.split_token("xyzzy") is None
    assert splitter.split_token("afe") is None  # a + f + e: letters, no host


def test_concatenation_is_needed_for_segmentation() -> None:
    sents = [sentence(["de", "el", "x"], [(1, 2, "del")]), sentence(["a", "el"], [(1, 2, "al")])]
    splitter = learn_multiword_splitter(sents)
    assert not splitter.segments and splitter.stats["concatenative_share"] == 0.0
    assert splitter.split_token("xel") is None


def test_fingerprint_follows_what_is_learned() -> None:
    one = learn_multiword_splitter(bound_groups())
    assert one.fingerprint() == learn_multiword_splitter(bound_groups()).fingerprint()
    assert one.fingerprint() != learn_multiword_splitter(bound_groups()[:1]).fingerprint()
    assert one.to_dict()["lexicon"] == len(one.lexicon) == 4
