"""xlt.io.classification: SIB-200, NusaX, AmericasNLI, Taxi1500, JSONL."""

from __future__ import annotations

from xlt.io.classification import read_classification, read_labels, write_jsonl


def test_sib(resources):
    ex = read_classification(resources / "io" / "sib_sample.tsv")
    assert [(e.id, e.label) for e in ex] == [("1", "geography"), ("2", "sports")]
    assert ex[0].text.startswith("Géej")


def test_nusax_csv_quotes_and_newlines(resources):
    ex = read_classification(resources / "io" / "nusax_sample.csv")
    assert ex[0].text == "Roti enak, murah" and ex[1].text == 'Kabeh "biyen"\nlan saiki'
    assert ex[1].label == "neutral"


def test_americasnli_pairs(resources):
    (ex,) = read_classification(resources / "io" / "anli_sample.tsv")
    assert ex.text == "Jupax sanwa." and ex.text_pair == "Yatiñ utan." and ex.label == "neutral"
    assert ex.meta == {"language": "aym"}


def test_taxi_headerless(tmp_path):
    p = tmp_path / "eng_train.tsv"
    p.write_text("62003016\tFaith\tBy this we know .\n43013001\tGrace\tNow .\n", encoding="utf-8")
    ex = read_classification(p)
    assert (ex[0].id, ex[0].label, ex[0].text) == ("62003016", "Faith", "By this we know .")


def test_jsonl_fields_and_write(resources, tmp_path):
    ex = read_classification(resources / "io" / "sample.jsonl")
    assert ex[1].meta == {"src": "x"}
    custom = tmp_path / "c.jsonl"
    custom.write_text('{"sent": "hi", "y": 1}\n', encoding="utf-8")
    (c,) = read_classification(custom, text_field="sent", label_field="y")
    assert c.text == "hi" and c.label == "1"
    out = tmp_path / "o.jsonl"
    write_jsonl(ex, out)
    assert read_classification(out) == ex


def test_labels_file(tmp_path):
    p = tmp_path / "labels.txt"
    p.write_text("a\nb\n\n", encoding="utf-8")
    assert read_labels(p) == ["a", "b"]
