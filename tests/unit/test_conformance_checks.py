"""The conformance suite itself: skips name what is missing, and the determinism check holds
for seeded methods while one declared ``unseeded`` is exempt."""

from __future__ import annotations

import random
from typing import Literal

import pytest

from xlt.alignment import aligners
from xlt.config import MethodConfig
from xlt.registry import TINY_MODEL, Entry
from xlt.testing.checks import check_aligner, example_config, skip_unless_runnable
from xlt.types import Alignment


class NoisyConfig(MethodConfig):
    method: Literal["noisy"] = "noisy"
    symmetrize: str = "intersection"


class NoisyAligner:
    """Links every word to a random target word (a stand-in for an unseeded sampler)."""

    def __init__(self, config: NoisyConfig) -> None:
        self.config = config

    def align(self, pairs, *, extra=()):
        rng = random.Random()  # deliberately unseeded
        return [
            Alignment(frozenset((i, rng.randrange(len(p.tgt))) for i in range(len(p.src)))) for p in pairs
        ]


def _register_noisy(monkeypatch: pytest.MonkeyPatch, unseeded: str | None) -> None:
    entry = Entry(
        "noisy", NoisyAligner, NoisyConfig, "Random links.", "none (a test double)", unseeded=unseeded
    )
    monkeypatch.setitem(aligners._entries, "noisy", entry)


def test_a_seeded_method_that_varies_fails_the_determinism_check(monkeypatch, tmp_path) -> None:
    _register_noisy(monkeypatch, unseeded=None)
    with pytest.raises(AssertionError, match="declare unseeded"):
        for _ in range(20):  # twelve random links agree by chance with negligible probability
            check_aligner("noisy", tiny_model=None, tmp_path=tmp_path)


def test_a_method_declared_unseeded_is_exempt(monkeypatch, tmp_path) -> None:
    _register_noisy(monkeypatch, unseeded="the sampler takes no seed")
    check_aligner("noisy", tiny_model=None, tmp_path=tmp_path)


def test_eflomal_declares_that_it_has_no_seed() -> None:
    assert not aligners.entry("eflomal").deterministic and "seed" in aligners.entry("eflomal").unseeded
    assert aligners.entry("embedding").deterministic


def test_missing_optional_module_skips_with_its_name() -> None:
    entry = Entry("x", object, None, "d", "r", requires=("xlt_no_such_module",))
    with pytest.raises(pytest.skip.Exception, match=r"xlt_no_such_module.*not installed"):
        skip_unless_runnable(entry)


def test_no_quick_example_skips_with_a_reason() -> None:
    with pytest.raises(pytest.skip.Exception, match="no example config"):
        skip_unless_runnable(Entry("x", object, None, "d", "r", example=None))


def test_example_config_substitutes_the_tiny_model(tmp_path) -> None:
    entry = Entry("x", object, None, "d", "r", example={"model": TINY_MODEL, "inner": {"m": [TINY_MODEL, 1]}})
    assert example_config(entry, tiny_model=tmp_path) == {
        "model": str(tmp_path),
        "inner": {"m": [str(tmp_path), 1]},
    }
    with pytest.raises(AssertionError, match="tiny model"):
        example_config(entry)
