"""Shared fixtures: offline mode, the shared data root, tiny models."""

from __future__ import annotations

import os
from collections.abc import Callable
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


@pytest.fixture
def write_recipe(tmp_path: Path) -> Callable[[dict], Path]:
    """Writes a recipe mapping as ``tmp_path/recipe.yaml`` and returns its path."""
    import yaml

    def write(data: dict) -> Path:
        path = tmp_path / "recipe.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return path

    return write


@pytest.fixture
def projection_recipe(tmp_path: Path) -> Callable[..., dict]:
    """A POS projection recipe mapping on tests/resources/pipeline (eng -> the toy language xx);
    keyword arguments replace top-level keys."""
    res = RESOURCES / "pipeline"

    def make(**over) -> dict:
        data = {
            "task": "pos",
            "method": "projection",
            "model": "crf",
            "source": {
                "language": "eng",
                "train": str(res / "source_train.conllu"),
                "parallel": str(res / "source.verses.tsv"),
            },
            "target": {
                "language": "xx",
                "parallel": str(res / "target.verses.tsv"),
                "test": str(res / "target_test.conll"),
            },
            "output_dir": str(tmp_path / "out"),
        }
        return {**data, **over}

    return make
