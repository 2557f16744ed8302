"""Model-level merging and the ``xlt merge`` command on tiny local models."""

from __future__ import annotations

import json

import pytest
import torch

from xlt.errors import ConfigError, MismatchError
from xlt.merging.models import merge_models


def _variant(src, dst, seed: int, head: str = "mlm", num_labels: int = 3):
    from transformers import AutoModelForMaskedLM, AutoModelForTokenClassification, AutoTokenizer

    torch.manual_seed(seed)
    if head == "mlm":
        model = AutoModelForMaskedLM.from_pretrained(src)
    else:
        model = AutoModelForTokenClassification.from_pretrained(src, num_labels=num_labels)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.01)
    model.save_pretrained(dst)
    AutoTokenizer.from_pretrained(src).save_pretrained(dst)
    return dst


@pytest.fixture(scope="module")
def variants(tiny_model_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("merge")
    return {
        "a": _variant(tiny_model_dir, root / "a", 1),
        "b": _variant(tiny_model_dir, root / "b", 2),
        "ner": _variant(tiny_model_dir, root / "ner", 3, head="tok"),
        "ner5": _variant(tiny_model_dir, root / "ner5", 4, head="tok", num_labels=5),
        "base": tiny_model_dir,
    }


def _logits(model, path):
    from transformers import AutoTokenizer

    enc = AutoTokenizer.from_pretrained(path)(["Hitza zen ."], return_tensors="pt")
    with torch.no_grad():
        return model.eval()(**enc).logits


def test_average_of_two_models_reloads_with_identical_outputs(variants, tmp_path):
    from transformers import AutoModelForMaskedLM

    model, result = merge_models("average", [variants["a"], variants["b"]], out=tmp_path / "avg")
    a = AutoModelForMaskedLM.from_pretrained(variants["a"]).state_dict()
    b = AutoModelForMaskedLM.from_pretrained(variants["b"]).state_dict()
    reloaded = AutoModelForMaskedLM.from_pretrained(tmp_path / "avg")
    k = "roberta.encoder.layer.0.attention.self.query.weight"
    assert torch.allclose(reloaded.state_dict()[k], (a[k] + b[k]) / 2, atol=1e-6)
    # tied output embeddings stay tied
    assert (
        reloaded.get_output_embeddings().weight.data_ptr()
        == reloaded.get_input_embeddings().weight.data_ptr()
    )
    assert (tmp_path / "avg" / "merge.yaml").is_file() and (tmp_path / "avg" / "tokenizer.json").is_file()
    assert torch.equal(_logits(model, tmp_path / "avg"), _logits(reloaded, tmp_path / "avg"))
    assert result.copied_parameters == []


def test_task_model_merged_with_lm_keeps_its_head(variants, tmp_path):
    from transformers import AutoModelForTokenClassification

    _, result = merge_models(
        "task_arithmetic", [variants["ner"], variants["a"]], base=variants["base"], out=tmp_path / "ta"
    )
    assert any(k.startswith("classifier") for k in result.copied_parameters)
    merged = AutoModelForTokenClassification.from_pretrained(tmp_path / "ta")
    ner = AutoModelForTokenClassification.from_pretrained(variants["ner"])
    assert torch.equal(merged.classifier.weight, ner.classifier.weight)


def test_errors_are_clear(variants, tmp_path):
    with pytest.raises(ConfigError, match="needs a base"):
        merge_models("ties", [variants["a"], variants["b"]])
    with pytest.raises(MismatchError, match="classifier"):
        merge_models("average", [variants["ner"], variants["ner5"]])


def test_cli_merge_layer_swap_and_json(variants, tmp_path, capsys):
    from xlt.cli.app import main

    cfg = tmp_path / "swap.yaml"
    cfg.write_text("layers: ['1']\ninclude: ['embeddings.*']\n")
    main(["merge", "layer_swap", str(variants["a"]), str(variants["b"]), "--out", str(tmp_path / "sw"),
          "--config", str(cfg), "--format", "json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "layer_swap" and data["config"]["layers"] == ["1"]
    from transformers import AutoModelForMaskedLM

    sw = AutoModelForMaskedLM.from_pretrained(tmp_path / "sw").state_dict()
    a = AutoModelForMaskedLM.from_pretrained(variants["a"]).state_dict()
    b = AutoModelForMaskedLM.from_pretrained(variants["b"]).state_dict()
    assert torch.equal(
        sw["roberta.encoder.layer.1.output.dense.weight"], b["roberta.encoder.layer.1.output.dense.weight"]
    )
    assert torch.equal(
        sw["roberta.encoder.layer.0.output.dense.weight"], a["roberta.encoder.layer.0.output.dense.weight"]
    )


def test_cli_bad_weights(variants, tmp_path, capsys):
    from xlt.cli.app import main

    with pytest.raises(SystemExit) as exc:
        main(["merge", "average", str(variants["a"]), str(variants["b"]), "--out", str(tmp_path / "x"), "--weights", "1,2,3"])  # fmt: skip
    assert exc.value.code == 1
    assert "weights" in capsys.readouterr().err
