"""Every registered projector honours the LabelProjector contract (:func:`xlt.testing.checks.check_projector`)."""

import pytest

from xlt.projection import projectors
from xlt.testing.checks import check_projector


@pytest.mark.parametrize("name", projectors.names())
def test_projector_conformance(name, tmp_path):
    check_projector(name, tmp_path=tmp_path)
