"""transfer_model on untied and head-less models: every vocabulary-sized tensor follows the plan."""

from __future__ import annotations

import torch

from xlt.vocab.apply import save_transferred, transfer_model
from xlt.vocab.initializers import initializers, overlap

TEXTS = ["Hasieran Hitza zen , eta Hitza Jainkoarekin zen .", "Hitza haragi egin zen gure artean ."] * 10


def _setup(tiny_model_dir):
    from transformers import AutoTokenizer

    from xlt.vocab.tokenizer import train_tokenizer

    src_tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    return src_tok, train_tokenizer(TEXTS, vocab_size=60, like=src_tok)


def test_untied_output_embeddings_and_bias_follow_the_plan(tiny_model_dir, tmp_path):
    from transformers import AutoModelForMaskedLM

    src_tok, tgt_tok = _setup(tiny_model_dir)
    model = AutoModelForMaskedLM.from_pretrained(tiny_model_dir, tie_word_embeddings=False)
    with torch.no_grad():
        model.get_output_embeddings().weight.mul_(3.0)  # make input and output different
        model.get_output_embeddings().bias.add_(torch.arange(len(src_tok), dtype=torch.float32))
    old_in = model.get_input_embeddings().weight.detach().clone()
    old_out = model.get_output_embeddings().weight.detach().clone()
    old_bias = model.get_output_embeddings().bias.detach().clone()
    model, report = transfer_model(model, src_tok, tgt_tok, initializers.build("copy_overlap", {}))
    assert not report.tied
    new_in, new_out = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    assert new_out.data_ptr() != new_in.data_ptr()
    for t, s in overlap(src_tok, tgt_tok).items():
        assert torch.equal(new_in[t], old_in[s])
        assert torch.equal(new_out[t], old_out[s])
        assert model.get_output_embeddings().bias[t] == old_bias[s]
    save_transferred(model, tgt_tok, tmp_path, report)
    reloaded = AutoModelForMaskedLM.from_pretrained(tmp_path)
    assert torch.equal(reloaded.get_output_embeddings().weight, new_out)
    assert reloaded.config.vocab_size == len(tgt_tok)


def test_encoder_without_lm_head(tiny_model_dir):
    from transformers import AutoModel

    src_tok, tgt_tok = _setup(tiny_model_dir)
    model, report = transfer_model(
        AutoModel.from_pretrained(tiny_model_dir), src_tok, tgt_tok, initializers.build("mean", {})
    )
    assert model.get_input_embeddings().weight.shape[0] == len(tgt_tok) == model.config.vocab_size
    assert report.rows["special"] == len(
        {tgt_tok.convert_tokens_to_ids(t) for t in tgt_tok.all_special_tokens}
    )


def test_protocol_only_initializer(tiny_model_dir):
    from transformers import AutoModelForMaskedLM

    class Zeros:
        """A third-party initializer implementing only ``initialize``."""

        def initialize(self, source_model, source_tokenizer, target_tokenizer, data=None):
            return torch.zeros(len(target_tokenizer), source_model.config.hidden_size)

    src_tok, tgt_tok = _setup(tiny_model_dir)
    model, report = transfer_model(
        AutoModelForMaskedLM.from_pretrained(tiny_model_dir), src_tok, tgt_tok, Zeros()
    )
    assert torch.count_nonzero(model.get_input_embeddings().weight) == 0 and report.method == "Zeros"
