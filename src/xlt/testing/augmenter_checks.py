"""Conformance of the augmenters (``xlt methods augmenters``): what every registered training-data
augmenter must do, as one plain function a plugin author can call.

:func:`check_augmenter` builds the method from its registration's example config
(:data:`~xlt.registry.TINY_DICTIONARY` replaced by a small dictionary of the suite's words) and,
on the suite's tagging and classification data, checks that: the output has the input's type and
keeps every label sequence (a token task's labels stay with their positions); with
``keep_original`` (the default) the originals come first and unchanged; the inputs are left
unchanged; one seed gives the same output twice (unless the registration says ``unseeded``);
``stats_`` reports what was done; and an unsupported input is a clear
:class:`~xlt.errors.XltError`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from xlt.registry import TINY_DICTIONARY


def tiny_dictionary(path: Path) -> Path:
    """An ``english<TAB>xx`` dictionary of every word of :func:`xlt.testing.checks.tagging_data`
    and :func:`~xlt.testing.checks.classification_data` (``dog`` -> ``dogxx``)."""
    from xlt.testing.checks import classification_data, tagging_data

    words = sorted(
        {t for s in tagging_data() for t in s.tokens}
        | {w for ex in classification_data() for w in ex.text.split()}
    )
    path.write_text("".join(f"{w}\t{w}xx\n" for w in words), encoding="utf-8")
    return path


def check_augmenter(name: str, *, tmp_path: Path) -> None:
    """Assert the augmenter contract of ``name`` (see the module docstring)."""
    import pytest

    from xlt.augmentation import augmenters
    from xlt.errors import XltError
    from xlt.testing.checks import (
        check_config,
        check_registration,
        classification_data,
        skip_unless_runnable,
        substitute_placeholders,
        tagging_data,
    )
    from xlt.types import LabeledSentence, TextExample

    entry = augmenters.entry(name)
    check_registration(entry)
    skip_unless_runnable(entry)
    dictionary = tiny_dictionary(tmp_path / "tiny.dict.tsv")
    options = substitute_placeholders(dict(entry.example or {}), {TINY_DICTIONARY: dictionary})

    def build() -> Any:
        return augmenters.build(name, dict(options))

    aug = build()
    check_config(aug.config, tmp_path)
    keep = getattr(aug.config, "keep_original", True)
    for data in (tagging_data(12), classification_data(12)):
        before = copy.deepcopy(data)
        out = aug.augment(data)
        assert data == before, f"{name}: the input data changed"
        kind = type(data[0])
        assert out and all(isinstance(x, kind) for x in out), f"{name}: the output is not all {kind.__name__}"
        if keep:
            assert out[: len(data)] == data, f"{name}: the originals do not come first, unchanged"
        labels = {x.labels if isinstance(x, LabeledSentence) else x.label for x in data}
        for x in out:
            if isinstance(x, LabeledSentence):
                assert len(x.tokens) == len(x.labels), f"{name}: tokens and labels differ in length"
                assert x.labels in labels, f"{name}: a label sequence changed: {x.labels}"
            else:
                assert isinstance(x, TextExample) and x.label in labels, f"{name}: a label changed"
        assert isinstance(aug.stats_, dict) and aug.stats_, f"{name}: stats_ reports nothing"
        if entry.unseeded is None:
            assert build().augment(data) == out, f"{name}: one seed gave two outputs"
    with pytest.raises(XltError):
        aug.augment([("not", "an", "example")])


__all__ = ["check_augmenter", "tiny_dictionary"]
