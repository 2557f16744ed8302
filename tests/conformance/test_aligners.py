"""Every registered aligner honours the WordAligner contract (:func:`xlt.testing.checks.check_aligner`)."""

import pytest

from xlt.alignment import aligners
from xlt.testing.checks import check_aligner


@pytest.mark.parametrize("name", aligners.names())
def test_aligner_conformance(name, tiny_model_dir, tmp_path):
    check_aligner(name, tiny_model=tiny_model_dir, tmp_path=tmp_path)
