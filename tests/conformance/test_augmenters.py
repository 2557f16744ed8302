"""Every registered augmenter honours the augmenter contract (:func:`xlt.testing.augmenter_checks.check_augmenter`)."""

from __future__ import annotations

import pytest

from xlt.augmentation import augmenters
from xlt.testing.augmenter_checks import check_augmenter


@pytest.mark.parametrize("name", augmenters.names())
def test_augmenter_conformance(name, tmp_path):
    check_augmenter(name, tmp_path=tmp_path)


def test_the_codeswitcher_really_switches_with_the_tiny_dictionary(tmp_path):
    from xlt.testing.augmenter_checks import tiny_dictionary
    from xlt.testing.checks import tagging_data

    path = tiny_dictionary(tmp_path / "d.tsv")
    aug = augmenters.build(
        "codeswitch", {"languages": ["xx"], "dictionaries": {"xx": str(path)}, "rate": 1.0}
    )
    data = tagging_data(5)
    out = aug.augment(data)
    assert len(out) == 10 and all(t.endswith("xx") for s in out[5:] for t in s.tokens)


def test_an_augmenter_that_moves_labels_fails_the_check(monkeypatch, tmp_path):
    from typing import Literal

    from xlt.config import MethodConfig
    from xlt.registry import Entry
    from xlt.types import LabeledSentence

    class ShiftConfig(MethodConfig):
        method: Literal["shift"] = "shift"

    class Shifter:
        """Adds copies whose labels are rotated by one (what an augmenter must never do)."""

        def __init__(self, config):
            self.config, self.stats_ = config, {}

        def augment(self, data):
            out = list(data)
            for ex in data:
                if not isinstance(ex, LabeledSentence):
                    from xlt.errors import ConfigError

                    raise ConfigError("shift: token tasks only")
                out.append(LabeledSentence(ex.tokens, (*ex.labels[1:], ex.labels[0]), ex.id))
            self.stats_ = {"added": len(data)}
            return out

    monkeypatch.setitem(
        augmenters._entries,
        "shift",
        Entry("shift", Shifter, ShiftConfig, "Rotates labels.", "none (a test double)"),
    )
    with pytest.raises(AssertionError, match="a label sequence changed"):
        check_augmenter("shift", tmp_path=tmp_path)
