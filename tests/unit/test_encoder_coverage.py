"""The share of words an encoder's tokenizer cannot spell (xlt.models.coverage)."""

from __future__ import annotations

from xlt.models.coverage import unknown_word_share
from xlt.testing.tiny import train_tiny_tokenizer


def _tokenizer():
    return train_tiny_tokenizer(["the cat sat on the mat", "a dog ran in the park"] * 20)


def test_seen_script_has_no_unknown_words() -> None:
    out = unknown_word_share(_tokenizer(), [["the", "cat", "ran"], ["a", "mat"]])
    assert out == {"words": 5, "types": 5, "unknown_word_share": 0.0}


def test_unseen_script_is_counted_per_token() -> None:
    # Coptic letters are not in the tokenizer's alphabet; "ⲠϪⲰⲘ" occurs twice, "cat" once
    out = unknown_word_share(_tokenizer(), [["ⲠϪⲰⲘ", "cat"], ["ⲠϪⲰⲘ", "ⲘⲘⲒⲤⲒ"]])
    assert out["words"] == 4 and out["types"] == 3
    assert out["unknown_word_share"] == 0.75


def test_type_budget_and_empty_input() -> None:
    tok = _tokenizer()
    assert unknown_word_share(tok, []) == {"words": 0, "types": 0, "unknown_word_share": 0.0}
    out = unknown_word_share(tok, [["the", "ⲠϪⲰⲘ", "the", "ⲘⲘⲒⲤⲒ"]], max_types=1)
    assert out == {"words": 2, "types": 1, "unknown_word_share": 0.0}  # later new types are skipped


class _ByteLevel:
    unk_token_id = None


def test_tokenizer_without_unknown_token_reads_everything() -> None:
    assert unknown_word_share(_ByteLevel(), [["ⲠϪⲰⲘ"]])["unknown_word_share"] == 0.0
