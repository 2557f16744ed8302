"""Every registered merge method honours the MergeMethod contract (:func:`xlt.testing.checks.check_merger`),
on parameter dicts and on two perturbed copies of the tiny model."""

from __future__ import annotations

import pytest

import xlt.merging  # noqa: F401  (registers the built-in methods)
from xlt.merging.methods import mergers
from xlt.testing.checks import check_merger


@pytest.mark.parametrize("name", mergers.names())
def test_merger_conformance(name, tiny_model_dir, tmp_path):
    check_merger(name, tmp_path=tmp_path, tiny_model=tiny_model_dir)
