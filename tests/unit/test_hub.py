"""Model loading: local paths load, unreachable hub ids give a clear XltError."""

from __future__ import annotations

import pytest

from xlt.hub import ModelLoadError, is_local, load_model, load_saved_model, load_tokenizer


def test_local_tiny_model_loads(tiny_model_dir) -> None:
    from transformers import AutoModelForTokenClassification

    assert is_local(tiny_model_dir)
    tok = load_tokenizer(tiny_model_dir)
    model = load_model(AutoModelForTokenClassification, tiny_model_dir, num_labels=3)
    assert model.config.num_labels == 3
    assert len(tok) == model.config.vocab_size


def test_load_saved_model_keeps_the_task_head(tiny_model_dir, tmp_path) -> None:
    from transformers import AutoModelForTokenClassification

    tagged = load_model(AutoModelForTokenClassification, tiny_model_dir, num_labels=3)
    tagged.save_pretrained(tmp_path / "tagger")
    again = load_saved_model(tmp_path / "tagger")
    assert type(again) is type(tagged) and again.config.num_labels == 3
    assert type(load_saved_model(tiny_model_dir)).__name__.endswith("ForMaskedLM")


def test_missing_directory_or_offline_hub_id_is_clear(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match="not a local directory"):
        load_tokenizer(str(tmp_path / "no-such-model"))
