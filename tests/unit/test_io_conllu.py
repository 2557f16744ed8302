"""xlt.io.conllu: CoNLL-U with multiword tokens and empty nodes."""

from __future__ import annotations

from xlt.io.conllu import UDSentence, UDToken, read_conllu, read_tagged, write_conllu


def test_read_mwt_and_empty_nodes(resources):
    s1, s2 = read_conllu(resources / "io" / "ud_sample.conllu")
    assert s1.sent_id == "s1" and s1.text == "Vámonos al mar."
    assert s1.forms == ("Vamos", "nos", "a", "el", "mar", ".")
    assert s1.surface_tokens() == ("Vámonos", "al", "mar", ".")
    # the glued flag: SpaceAfter=No on the word "mar"
    assert s1.surface() == (("Vámonos", False), ("al", False), ("mar", True), (".", False))
    assert [(m.start, m.end, m.form) for m in s1.multiwords] == [(1, 2, "Vámonos"), (3, 4, "al")]
    assert s1.tokens[1].feats == {"Case": "Acc,Dat", "Number": "Plur", "Person": "1", "PronType": "Prs"}
    assert s1.tokens[0].head == 0 and s1.tokens[4].misc == "SpaceAfter=No"
    assert [e.id for e in s2.empty_nodes] == ["5.1"]
    assert len(s2) == 6  # empty node is not a word


def test_to_labeled_and_read_tagged(resources):
    path = resources / "io" / "ud_sample.conllu"
    lab = read_conllu(path)[0].to_labeled("upos")
    assert lab.labels == ("VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT")
    assert read_tagged(path, column="deprel")[0].labels[0] == "root"
    uner = read_tagged(resources / "io" / "uner_sample.iob2")
    assert uner[0].labels[0] == "B-PER"
    assert read_tagged(resources / "io" / "masakhaner_sample.txt")[0].labels[0] == "B-PER"


def test_write_round_trip_byte_exact(resources, tmp_path):
    path = resources / "io" / "ud_sample.conllu"
    out = tmp_path / "out.conllu.gz"
    write_conllu(read_conllu(path), out)
    from xlt.io.files import read_text

    assert read_text(out) == read_text(path)


def test_write_synthesises_comments(tmp_path):
    sent = UDSentence((UDToken(1, "Hi", upos="INTJ", head=0, deprel="root"),), sent_id="x1", text="Hi")
    out = tmp_path / "s.conllu"
    write_conllu([sent], out)
    assert out.read_text().startswith("# sent_id = x1\n# text = Hi\n1\tHi\t_\tINTJ\t_\t_\t0\troot\t_\t_\n")
    assert read_conllu(out)[0].tokens == sent.tokens
