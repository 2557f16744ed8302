"""xlt.io.tokenize: script-independent word/punctuation splitting."""

from __future__ import annotations

import pytest

from xlt.io.tokenize import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't stop, it's well-known!", ["Don't", "stop", ",", "it's", "well-known", "!"]),
        ("Ո՞վ է նա։", ["Ո՞վ", "է", "նա", "։"]),
        ("ሰላም፡ ዓለም።", ["ሰላም", "፡", "ዓለም", "።"]),
        ("Привет, «мир»...", ["Привет", ",", "«", "мир", "»", "..."]),
        ("Ça coûte 1,000.50 € (Jn 3:16).", ["Ça", "coûte", "1,000.50", "€", "(", "Jn", "3:16", ")", "."]),
        ("નમસ્તે દુનિયા", ["નમસ્તે", "દુનિયા"]),
        ("中文。", ["中", "文", "。"]),
        ("xuk'ut a--b", ["xuk'ut", "a", "--", "b"]),
        ("", []),
    ],
)
def test_tokenize(text, expected):
    assert tokenize(text) == expected


def test_no_characters_lost():
    text = "Wax   na: «Ñaata?» — 12,5% ak naïve-ish ʼokʼ"
    assert "".join(tokenize(text)) == "".join(text.split())
