"""Writing-system detection by Unicode ranges (ISO 15924 codes)."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

# (first code point, last code point, ISO 15924); letters and marks of each script block
_RANGES: list[tuple[int, int, str]] = sorted(
    [
        (0x0041, 0x005A, "Latn"), (0x0061, 0x007A, "Latn"), (0x00C0, 0x024F, "Latn"),
        (0x0250, 0x02AF, "Latn"), (0x1E00, 0x1EFF, "Latn"), (0x2C60, 0x2C7F, "Latn"),
        (0xA720, 0xA7FF, "Latn"), (0xAB30, 0xAB6F, "Latn"), (0xFF21, 0xFF3A, "Latn"), (0xFF41, 0xFF5A, "Latn"),
        (0x0370, 0x03FF, "Grek"), (0x1F00, 0x1FFF, "Grek"),
        (0x0400, 0x052F, "Cyrl"), (0x1C80, 0x1C8F, "Cyrl"), (0x2DE0, 0x2DFF, "Cyrl"), (0xA640, 0xA69F, "Cyrl"),
        (0x0530, 0x058F, "Armn"), (0xFB13, 0xFB17, "Armn"),
        (0x0590, 0x05FF, "Hebr"), (0xFB1D, 0xFB4F, "Hebr"),
        (0x0600, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"), (0x08A0, 0x08FF, "Arab"),
        (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFF, "Arab"),
        (0x0700, 0x074F, "Syrc"), (0x0780, 0x07BF, "Thaa"), (0x07C0, 0x07FF, "Nkoo"),
        (0x0900, 0x097F, "Deva"), (0xA8E0, 0xA8FF, "Deva"), (0x0980, 0x09FF, "Beng"),
        (0x0A00, 0x0A7F, "Guru"), (0x0A80, 0x0AFF, "Gujr"), (0x0B00, 0x0B7F, "Orya"),
        (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"), (0x0C80, 0x0CFF, "Knda"),
        (0x0D00, 0x0D7F, "Mlym"), (0x0D80, 0x0DFF, "Sinh"), (0x0E00, 0x0E7F, "Thai"),
        (0x0E80, 0x0EFF, "Laoo"), (0x0F00, 0x0FFF, "Tibt"), (0x1000, 0x109F, "Mymr"),
        (0x10A0, 0x10FF, "Geor"), (0x1C90, 0x1CBF, "Geor"), (0x2D00, 0x2D2F, "Geor"),
        (0x1100, 0x11FF, "Hang"), (0x3130, 0x318F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
        (0x1200, 0x139F, "Ethi"), (0x2D80, 0x2DDF, "Ethi"), (0xAB00, 0xAB2F, "Ethi"),
        (0x13A0, 0x13FF, "Cher"), (0xAB70, 0xABBF, "Cher"), (0x1400, 0x167F, "Cans"), (0x18B0, 0x18FF, "Cans"),
        (0x1680, 0x169F, "Ogam"), (0x16A0, 0x16FF, "Runr"), (0x1780, 0x17FF, "Khmr"),
        (0x1800, 0x18AF, "Mong"), (0x2D30, 0x2D7F, "Tfng"), (0xA500, 0xA63F, "Vaii"),
        (0x3040, 0x309F, "Hira"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"), (0xFF66, 0xFF9F, "Kana"),
        (0x2E80, 0x2FDF, "Hani"), (0x3400, 0x4DBF, "Hani"), (0x4E00, 0x9FFF, "Hani"),
        (0xF900, 0xFAFF, "Hani"), (0x20000, 0x3134F, "Hani"),
        (0xA000, 0xA4CF, "Yiii"), (0xA6A0, 0xA6FF, "Bamu"), (0x1E900, 0x1E95F, "Adlm"),
        (0x2C80, 0x2CFF, "Copt"), (0x03E2, 0x03EF, "Copt"),
    ]
)  # fmt: skip
_STARTS = [r[0] for r in _RANGES]


def char_script(ch: str) -> str | None:
    """ISO 15924 code of one character, or ``None`` for digits, punctuation, spaces."""
    cp = ord(ch)
    i = bisect_right(_STARTS, cp) - 1
    if i >= 0:
        # Coptic lies inside the Greek block: the later, narrower range wins
        for j in range(i, max(i - 3, -1), -1):
            lo, hi, script = _RANGES[j]
            if lo <= cp <= hi:
                return script
    return None


def script_counts(text: str, *, limit: int | None = 5000) -> Counter[str]:
    """Characters per script over the first ``limit`` script characters of ``text``."""
    counts: Counter[str] = Counter()
    seen = 0
    for ch in text:
        if ch.isascii() and not ch.isalpha():
            continue
        script = char_script(ch)
        if script is None:
            continue
        counts[script] += 1
        seen += 1
        if limit is not None and seen >= limit:
            break
    return counts


def detect_script(text: str, *, limit: int | None = 5000) -> str:
    """The dominant ISO 15924 script of ``text`` (``Zyyy`` when it has no letters).

    Japanese (kana mixed with Han) is reported as ``Jpan`` and Korean Hangul as ``Kore``
    when Han characters are mixed in; simplified vs traditional Han is not distinguished (``Hani``).
    """
    counts = script_counts(text, limit=limit)
    if not counts:
        return "Zyyy"
    kana = counts.get("Hira", 0) + counts.get("Kana", 0)
    if kana and kana + counts.get("Hani", 0) >= max(counts.values()):
        return "Jpan"
    if counts.get("Hang", 0) and counts.get("Hani", 0):
        return "Kore"
    return counts.most_common(1)[0][0]
