"""The translate-train recipe method with `translate:` (source data translated and projected)."""

from __future__ import annotations

import json

import pytest

from xlt.errors import ConfigError
from xlt.io.conll import read_conll
from xlt.pipeline import load_recipe, run_recipe
from xlt.projection.base import bio_spans
from xlt.translation.projection import DEFAULT_MARKERS, marked_text, span_types

RES = __import__("pathlib").Path(__file__).parents[1] / "resources" / "pipeline"


def _identity_marked(path, out):
    """What a perfect MT system would return for the marked source: the marked source itself."""
    sents = [s for s in read_conll(path) if len(s)]
    pairs = dict(zip(span_types(sents), DEFAULT_MARKERS, strict=False))
    lines = [marked_text(s, bio_spans(s.labels), pairs) for s in sents]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(sents)


def _recipe(tmp_path, write_recipe, **over):
    data = {
        "task": "ner",
        "method": "translate-train",
        "model": "crf",
        "source": {"language": "eng", "train": str(RES / "source_train_ner.conll")},
        "target": {"language": "xx", "test": str(RES / "target_test_ner.conll")},
        "output_dir": str(tmp_path / "out"),
        **over,
    }
    return load_recipe(write_recipe(data))


def test_translate_train_markers_with_a_file_translator(tmp_path, write_recipe):
    mt = tmp_path / "mt.txt"
    n = _identity_marked(RES / "source_train_ner.conll", mt)
    rec, base = _recipe(
        tmp_path,
        write_recipe,
        translate={"translator": {"method": "file", "path": str(mt)}, "projection": "markers"},
    )
    result = run_recipe(rec, base)
    per = result.metrics["translate"]["per_source"]["eng"]
    assert per["sentences"] == n and per["kept"] == n and per["markers"]["lost"] == 0
    assert result.metrics["f1"] >= 0.0 and result.metrics["method"] == "translate-train"
    train = (tmp_path / "out" / "steps" / "translate-0-eng" / "train.jsonl").read_text(encoding="utf-8")
    assert len(train.splitlines()) == n and json.loads(train.splitlines()[0])["tokens"]


def test_translate_train_alignment_projection(tmp_path, write_recipe):
    pytest.importorskip("eflomal")
    mt = tmp_path / "mt.txt"
    sents = [s for s in read_conll(RES / "source_train_ner.conll") if len(s)]
    lines = [" ".join(s.tokens) for s in sents]
    lines[0] = ""  # an empty translation is dropped and counted
    mt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rec, base = _recipe(
        tmp_path,
        write_recipe,
        translate={"translator": {"method": "file", "path": str(mt)}, "projection": "alignment"},
    )
    per = run_recipe(rec, base).metrics["translate"]["per_source"]["eng"]
    assert per["sentences"] == len(sents) and per["dropped_by_reason"]["empty_translation"] == 1
    assert per["kept"] + per["dropped"] == len(sents) and per["projector"]["source_spans"] > 0


def test_translate_train_classification_keeps_labels(tmp_path, write_recipe):
    from xlt.io.classification import read_classification

    train = read_classification(RES / "cls_train.tsv")
    mt = tmp_path / "mt.txt"
    mt.write_text("\n".join(ex.text for ex in train) + "\n", encoding="utf-8")
    rec, base = _recipe(
        tmp_path,
        write_recipe,
        task="classification",
        model="linear",
        source={"language": "eng", "train": str(RES / "cls_train.tsv")},
        target={"language": "xx", "test": str(RES / "cls_test.tsv")},
        translate={"translator": {"method": "file", "path": str(mt)}},
    )
    result = run_recipe(rec, base)
    assert result.metrics["translate"]["per_source"]["eng"]["kept"] == len(train)
    assert result.metrics["accuracy"] > 0.5


def test_translate_train_constrained_with_the_tiny_model(tmp_path, write_recipe):
    from xlt.testing.tiny_mt import shared_tiny_seq2seq

    model = shared_tiny_seq2seq()
    rec, base = _recipe(
        tmp_path,
        write_recipe,
        source={"language": "eng", "train": str(RES / "source_train_ner.conll"), "max_train": 12},
        translate={
            "translator": {
                "method": "hf-seq2seq",
                "model": str(model),
                "beam_size": 1,
                "max_new_tokens": 12,
                "tgt_code": "eus_Latn",  # the toy target language xx has no code of its own
            },
            "projection": "constrained",
            "options": {"max_length_ratio": 50},
        },
    )
    try:
        result = run_recipe(rec, base)
    except ConfigError as err:  # every sentence dropped by the random model is a counted, clear error
        assert "survived translation" in str(err)
        return
    per = result.metrics["translate"]["per_source"]["eng"]
    assert per["sentences"] == 12 and per["kept"] + per["dropped"] == 12


def test_translate_spec_validation(tmp_path, write_recipe):
    with pytest.raises(ConfigError, match=r"target.train is required .*or give 'translate'"):
        _recipe(tmp_path, write_recipe)
    with pytest.raises(ConfigError, match="option of methods 'translate-train' and 'translate-test'"):
        _recipe(tmp_path, write_recipe, method="zero-shot", translate={"translator": "file"})
    with pytest.raises(ConfigError, match="use alignment for pos"):
        _recipe(tmp_path, write_recipe, task="pos", translate={"translator": "file"})
    rec, base = _recipe(
        tmp_path, write_recipe, translate={"translator": {"method": "file"}, "projection": "markers"}
    )
    with pytest.raises(ConfigError, match=r"(?s)translate\.translator: .*path"):
        run_recipe(rec, base)


# -- translate-test ------------------------------------------------------------------------
def _identity_lines(path, out, task):
    if task == "classification":
        from xlt.io.classification import read_classification

        lines = [ex.text for ex in read_classification(path)]
    else:
        lines = [" ".join(s.tokens) for s in read_conll(path) if len(s)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_translate_test_classification_equals_zero_shot_under_identity(tmp_path, write_recipe):
    mt = tmp_path / "mt.txt"
    _identity_lines(RES / "cls_test.tsv", mt, "classification")
    common = {
        "task": "classification",
        "model": "linear",
        "source": {"language": "eng", "train": str(RES / "cls_train.tsv")},
        "target": {"language": "xx", "test": str(RES / "cls_test.tsv")},
    }
    tt = run_recipe(
        *_recipe(tmp_path, write_recipe, **common, method="translate-test",
                 translate={"translator": {"method": "file", "path": str(mt)}})
    )  # fmt: skip
    zs = run_recipe(
        *_recipe(tmp_path, write_recipe, **common, method="zero-shot", output_dir=str(tmp_path / "zs"))
    )
    assert tt.metrics["accuracy"] == zs.metrics["accuracy"]
    assert tt.metrics["translate_test"]["translations"]["target.test"]["texts"] == 20


def test_translate_test_ner_maps_tags_back_through_alignment(tmp_path, write_recipe):
    pytest.importorskip("eflomal")
    mt = tmp_path / "mt.txt"
    _identity_lines(RES / "target_test_ner.conll", mt, "ner")
    res = run_recipe(
        *_recipe(tmp_path, write_recipe, method="translate-test",
                 translate={"translator": {"method": "file", "path": str(mt)}})
    )  # fmt: skip
    mapping = res.metrics["translate_test"]["mapping"]["target.test"]
    assert mapping["sentences"] == 25 and mapping["empty_translations"] == 0
    # on text the source model tags perfectly (its own training sentences), identity translations
    # mapped back through the alignment must lose no span: the same F1 as tagging directly
    seen = {"language": "xx", "test": str(RES / "source_train_ner.conll")}
    _identity_lines(RES / "source_train_ner.conll", tmp_path / "mt_seen.txt", "ner")
    tt = run_recipe(
        *_recipe(tmp_path, write_recipe, method="translate-test", target=seen, output_dir=str(tmp_path / "tt"),
                 translate={"translator": {"method": "file", "path": str(tmp_path / "mt_seen.txt")}})
    )  # fmt: skip
    zs = run_recipe(
        *_recipe(tmp_path, write_recipe, method="zero-shot", target=seen, output_dir=str(tmp_path / "zs"))
    )
    assert zs.metrics["f1"] == 1.0 and tt.metrics["f1"] == zs.metrics["f1"]
    wrong = tmp_path / "short.txt"
    wrong.write_text("one line\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"1 lines .* for 25 input"):
        run_recipe(
            *_recipe(tmp_path, write_recipe, method="translate-test", output_dir=str(tmp_path / "o2"),
                     translate={"translator": {"method": "file", "path": str(wrong)}})
        )  # fmt: skip
    with pytest.raises(ConfigError, match="needs 'translate'"):
        _recipe(tmp_path, write_recipe, method="translate-test")
