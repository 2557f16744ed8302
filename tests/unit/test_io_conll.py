"""xlt.io.conll: CoNLL token-per-line reading, BIO repair, UNER columns, writing."""

from __future__ import annotations

import gzip
import logging

import pytest

from xlt.errors import DataFormatError
from xlt.io.conll import UNER_COLUMNS, RepairReport, iter_conll, read_conll, repair_bio, write_conll
from xlt.types import LabeledSentence


def test_masakhaner_style_with_docstart_and_repairs(resources, caplog):
    report = RepairReport()
    with caplog.at_level(logging.WARNING, logger="xlt.io.conll"):
        sents = read_conll(resources / "io" / "masakhaner_sample.txt", report=report)
    assert [s.tokens for s in sents] == [
        ("Moussa", "Sall", "dem", "Ndakaaru", "."),
        ("I-tag", "foo", "bar", "baz"),
    ]
    assert sents[0].labels == ("B-PER", "I-PER", "O", "B-LOC", "O")
    assert sents[1].labels == ("B-ORG", "I-ORG", "O", "B-LOC")
    assert sents[0].id == "masakhaner_sample.txt:3"
    assert report.total == 2
    assert report.counts["I- at sentence start"] == 1 and report.counts["I- after O"] == 1
    assert "masakhaner_sample.txt:9" in report.examples[0]
    assert "2 repairs" in caplog.text  # never silent


def test_strict_and_keep_modes(resources):
    with pytest.raises(DataFormatError, match=r"masakhaner_sample.txt:9: invalid IOB2"):
        read_conll(resources / "io" / "masakhaner_sample.txt", repair="strict")
    report = RepairReport()
    kept = read_conll(resources / "io" / "masakhaner_sample.txt", repair="keep", report=report)
    assert kept[1].labels[0] == "I-ORG" and report.total == 2


def test_repair_bio_type_change():
    report = RepairReport()
    out = repair_bio(["B-PER", "I-LOC", "I-LOC", "O"], report=report)
    assert out == ["B-PER", "B-LOC", "I-LOC", "O"]
    assert report.counts == {"I- after another type": 1}


def test_uner_columns_comments_and_label_map(resources):
    sents = read_conll(resources / "io" / "uner_sample.iob2", **UNER_COLUMNS)
    assert sents[0].tokens == ("Anna", "lives", "in", "Paris", ".")
    assert sents[0].labels == ("B-PER", "O", "O", "B-LOC", "O")
    assert sents[1].labels == ("O", "O")  # B-OTH / I-OTH mapped to O
    assert sents[0].meta["comments"][1] == "# sent_id = d1-0001"


def test_pos_scheme_none_and_gzip(tmp_path):
    p = tmp_path / "pos.txt.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write("Xanaa CCONJ\nleeral VERB\n\nI-go NOUN\n")
    sents = read_conll(p)
    assert sents[1].labels == ("NOUN",)  # no BIO interpretation of POS tags
    assert sents[0].id == "pos.txt:1"


def test_space_in_token_and_empty_token(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("foo NOUN\n10 000 NUM\n O\nbar NOUN\n", encoding="utf-8")
    report = RepairReport()
    sents = read_conll(p, report=report)
    assert sents[0].tokens == ("foo", "10 000", "bar")
    assert report.counts["empty token dropped"] == 1


def test_wnut_tab_separator_lines(tmp_path):
    p = tmp_path / "w.conll"
    p.write_text("@paul\tO\nhi\tO\n\t\nNew\tB-location\nYork\tI-location\n", encoding="utf-8")
    sents = list(iter_conll(p))
    assert len(sents) == 2 and sents[1].labels == ("B-location", "I-location")


def test_unlabelled_single_column(tmp_path):
    p = tmp_path / "raw.txt"
    p.write_text("a\nb\n\nc\n", encoding="utf-8")
    sents = read_conll(p)
    assert sents[0].labels == (None, None)


def test_write_conll_none_label(tmp_path):
    out = tmp_path / "o.txt"
    n = write_conll([LabeledSentence(("a", "b"), ("B-PER", None))], out, none_label="O")
    assert n == 1 and out.read_text() == "a B-PER\nb O\n\n"
    with pytest.raises(DataFormatError):
        write_conll([LabeledSentence(("a b",), ("O",))], tmp_path / "bad.txt")


def test_auto_scheme_streams_a_long_bio_file(tmp_path, monkeypatch):
    """scheme='auto' decides BIO after AUTO_BIO_AFTER all-BIO sentences instead of buffering the
    whole file; a non-BIO label after that is an error that says why."""
    import xlt.io.conll as conll

    monkeypatch.setattr(conll, "AUTO_BIO_AFTER", 2)
    path = tmp_path / "ner.txt"
    path.write_text("a I-PER\nb O\n\nc B-LOC\n\nd O\n\ne NOUN\n", encoding="utf-8")
    stream = conll.iter_conll(path)
    first = next(stream)
    assert first.labels == ("B-PER", "O")  # repaired: the file was called BIO after 2 sentences
    assert next(stream).labels == ("B-LOC",) and next(stream).labels == ("O",)
    with pytest.raises(DataFormatError, match=r"ner.txt:8: label 'NOUN'") as err:
        next(stream)
    assert "scheme='none'" in str(err.value)
    pos = tmp_path / "pos.txt"
    pos.write_text("a O\n\nb NOUN\n", encoding="utf-8")  # a non-BIO tag before the decision
    assert [s.labels for s in conll.iter_conll(pos)] == [("O",), ("NOUN",)]


def test_a_detached_combining_mark_is_rejoined_and_counted(tmp_path):
    """Machine-translated Yoruba (T-Projection silver) splits tone marks off their letters:
    ``ilẹ ̀`` is read back as ``ilẹ̀`` (NFC), with the first token's label, and counted."""
    import pytest

    from xlt.errors import DataFormatError
    from xlt.io.conll import RepairReport, read_conll

    path = tmp_path / "yor.txt"
    path.write_text("EU B-ORG\nilẹ O\n\u0300 O\nJámánì B-LOC\n\n\u0301 O\nkò O\n\n", encoding="utf-8")
    report = RepairReport()
    first, second = read_conll(path, report=report)
    assert first.tokens == ("EU", "ilẹ̀", "Jámánì") and first.labels == ("B-ORG", "O", "B-LOC")
    assert first.tokens[1] == "ilẹ\u0300" and len(first.tokens[1]) == 4  # NFC: ẹ has no precomposed grave
    assert second.tokens == ("\u0301", "kò")  # a mark that starts a sentence has nothing to join
    assert report.counts == {"combining mark rejoined": 1} and "yor.txt:3" in report.examples[0]
    assert read_conll(path, repair="keep")[0].tokens == ("EU", "ilẹ", "\u0300", "Jámánì")
    with pytest.raises(DataFormatError, match=r"yor\.txt:3.*combining marks"):
        read_conll(path, repair="strict")
