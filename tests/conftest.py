"""Shared fixtures: offline mode, the shared data root, tiny models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

RESOURCES = Path(__file__).parent / "resources"


@pytest.fixture(scope="session")
def resources() -> Path:
    return RESOURCES


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or $XLT_DATA); skips the test with a clear message where absent."""
    from xlt.paths import data_root, shared_data_available

    root = data_root()
    if not shared_data_available(root):
        pytest.skip(
            f"shared data not found at {root} (set XLT_DATA or place ../shared/data beside the checkout)"
        )
    return root


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny XLM-R-style masked-LM + tokenizer saved with save_pretrained (built once per session)."""
    from xlt.testing.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))
