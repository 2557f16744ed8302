"""xlt.projection.tokenization: learn a treebank's apostrophe/hyphen tokenization, apply it to raw text."""

from __future__ import annotations

from xlt.io.conllu import UDMultiword, UDSentence, UDToken
from xlt.io.tokenize import tokenize
from xlt.projection.tokenization import learn_token_matcher


def sentence(text: str, mwts: tuple[tuple[int, int, str], ...] = ()) -> UDSentence:
    """Tokens written with ``~`` where no space follows: ``"l'~homme"``."""
    tokens = []
    for i, t in enumerate(text.split(), 1):
        glued = t.endswith("~")
        tokens.append(UDToken(i, t.removesuffix("~"), misc="SpaceAfter=No" if glued else "_"))
    return UDSentence(tuple(tokens), multiwords=tuple(UDMultiword(a, b, f) for a, b, f in mwts))


def test_elision_and_clitics_are_cut_where_the_treebank_cuts() -> None:
    treebank = [
        sentence("l'~ homme qu'~ il voit l'~ arbre"),
        sentence("Mae~ 'r dyn sy~ 'n mynd i~ 'r dre"),
    ] * 2
    m = learn_token_matcher(treebank)
    assert m.left_cuts == {"l'": 4, "qu'": 2} and m.right_cuts == {"'r": 4, "'n": 2}
    assert m.tokenize("L'homme qu'il voit.") == ["L'", "homme", "qu'", "il", "voit", "."]
    assert m.tokenize("Mae'r dyn sy'n mynd i'r dre") == [
        "Mae",
        "'r",
        "dyn",
        "sy",
        "'n",
        "mynd",
        "i",
        "'r",
        "dre",
    ]
    # typographic apostrophes match plain ones; other words with a joiner stay whole
    assert m.tokenize("l’arbre dont'ka") == ["l’", "arbre", "dont'ka"]
    changed = m.tokenize_counted("l'arbre voit")
    assert changed == [(True, "l'"), (True, "arbre"), (False, "voit")]


def test_a_form_seen_once_teaches_nothing_and_whole_forms_stay_whole() -> None:
    m = learn_token_matcher([sentence("d'~ arbre aujourd'hui d'~ eau")])
    assert m.left_cuts == {"d'": 2} and "aujourd'hui" in m.whole
    assert m.tokenize("d'eau aujourd'hui") == ["d'", "eau", "aujourd'hui"]
    assert not learn_token_matcher([sentence("l'~ homme")])  # one sighting: no rule
    assert m.tokenize("plain words only") == tokenize("plain words only")


def test_lone_apostrophes_glue_to_an_edge_form() -> None:
    """Afrikaans ``'n`` and Gaelic ``a'`` are single tokens that the standard tokenizer cuts in two."""
    m = learn_token_matcher([sentence("Hy het 'n boek a' bhean")] * 2)
    assert tokenize("het 'n boek") == ["het", "'", "n", "boek"]
    assert m.tokenize("het 'n boek, a' bhean") == ["het", "'n", "boek", ",", "a'", "bhean"]
    # not glued across a space: a quote stays a quote
    assert m.tokenize("het ' n boek") == ["het", "'", "n", "boek"]
    # an edge form written apart in the treebank (``'n boek``) is merged, never cut out of a word
    assert m.tokenize("ha'n") == ["ha'n"]


def test_a_hyphen_the_treebank_writes_as_its_own_token() -> None:
    m = learn_token_matcher([sentence("форс~ -~ мажор 1~ -~ ий")])
    assert m.split_joiners == {"-"}
    assert m.tokenize("форс-мажору 1-ий") == ["форс", "-", "мажору", "1", "-", "ий"]
    # hyphens kept inside tokens more often than written alone: no split
    kept = learn_token_matcher([sentence("форс~ -~ мажор well-known well-known")] * 2)
    assert not kept.split_joiners and kept.tokenize("long-term") == ["long-term"]


def test_multiword_tokens_are_read_as_their_surface_form() -> None:
    """A multiword token's form is one surface token (its words are not read as tokens)."""
    s = sentence("de~ el' x", mwts=((1, 2, "del'"),))
    m = learn_token_matcher([s, s])
    assert "el'" not in m.left_edges and m.left_edges == {"del'": 2}
    assert m.fingerprint() == learn_token_matcher([s, s]).fingerprint()
    assert m.fingerprint() != learn_token_matcher([sentence("l'~ a l'~ b")]).fingerprint()


def test_the_treebank_apostrophe_replaces_the_texts() -> None:
    """A Bible writing ``a``` (Scottish Gaelic) or ``ʼ`` where the treebank writes ``'``."""
    m = learn_token_matcher([sentence("a' bhean ch'aig")] * 20)
    assert m.apostrophe == "'" and m.normalize("a` bhean, `quote` ubʼan") == "a' bhean, 'quote' ub'an"
    assert m.tokenize("a` bhean") == ["a'", "bhean"]
    assert m.tokenize_counted("ubʼan dyn") == [(True, "ub'an"), (False, "dyn")]
    # a punctuation mark between spaces is left alone; too few apostrophes teach nothing
    assert m.normalize("x ` y") == "x ` y"
    assert learn_token_matcher([sentence("a' bhean")] * 5).apostrophe is None
    mixed = [sentence("м'ясо")] * 30 + [sentence("м’ясо")] * 10
    assert learn_token_matcher(mixed).apostrophe is None  # no apostrophe the treebank keeps to


def test_word_final_apostrophes_stay_on_their_words_where_the_treebank_keeps_them() -> None:
    """K'iche' writes the glottal stop with an apostrophe, word-finally too (*ruk'*): where the
    treebank keeps final apostrophes on their words, every one is glued back, known word or not."""
    kiche = learn_token_matcher([sentence("ri ak' xuk'am ruk' ri ja'"), sentence("are' k'o")] * 10)
    assert kiche.final_apostrophe and kiche.apostrophe == "'"
    # the Bible writes the modifier letter ʼ; normalized to ', then never split off
    assert tokenize("xbʼe rukʼ, kʼo") == ["xbʼe", "rukʼ", ",", "kʼo"]
    assert kiche.tokenize("xbʼe rukʼ, kʼo chiriʼ.") == ["xb'e", "ruk'", ",", "k'o", "chiri'", "."]
    assert kiche.tokenize_counted("tzijʼ") == [(True, "tzij'")]
    # a treebank that splits them off (English possessives, closing quotes) keeps the standard
    english = learn_token_matcher([sentence("the students~ ' books"), sentence("said 'yes~ '")] * 20)
    assert not english.final_apostrophe
    assert english.tokenize("the students' books") == ["the", "students", "'", "books"]
    # too few sightings teach nothing
    assert not learn_token_matcher([sentence("ruk' ri ja'")] * 5).final_apostrophe
