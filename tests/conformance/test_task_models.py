"""Every registered task-model backend honours the TaskModel contract
(:func:`xlt.testing.checks.check_task_model`: fit / predict / save / load, configs, errors)."""

from __future__ import annotations

import pytest

from xlt.models import task_models
from xlt.testing.checks import check_task_model


@pytest.mark.parametrize("name", task_models.names())
def test_task_model_conformance(name: str, tmp_path, tiny_model_dir) -> None:
    check_task_model(name, tmp_path=tmp_path, tiny_model=tiny_model_dir)
