"""Hostile corpus, class 'security': data references stay inside their root; writes honour the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from xlt.catalog.resolve import resolve_reference, resolve_shared
from xlt.errors import ConfigError
from xlt.testing.hostile import run_cli

SECRET = "root:x:0:0:TOP-SECRET-LINE\n"


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data root two levels below a directory holding a 'secret' file (like /etc/passwd)."""
    root = tmp_path / "a" / "data"
    (root / "ud").mkdir(parents=True)
    (root / "ud" / "x.conllu").write_text("1\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_\n\n", encoding="utf-8")
    (tmp_path / "passwd").write_text(SECRET, encoding="utf-8")
    monkeypatch.setenv("XLT_DATA", str(root))
    return root


ESCAPES = [
    "shared:../../passwd",
    "shared:ud/../../../passwd",
    "shared:/etc/passwd",
    "shared:~/passwd",
    "shared:..",
    "shared:",
]


@pytest.mark.parametrize("ref", ESCAPES)
def test_shared_references_cannot_leave_the_root(data_root: Path, ref: str) -> None:
    with pytest.raises(ConfigError, match="leaves the data root") as info:
        resolve_shared(ref)
    assert "TOP-SECRET" not in str(info.value)
    with pytest.raises(ConfigError, match="leaves the data root"):
        resolve_reference(ref)


def test_shared_references_inside_the_root_resolve(data_root: Path) -> None:
    assert resolve_shared("shared:ud/x.conllu") == data_root / "ud" / "x.conllu"
    assert resolve_shared("shared:ud/../ud/./x.conllu") == data_root / "ud" / "x.conllu"
    assert resolve_reference("shared:ud/x.conllu") == data_root / "ud" / "x.conllu"


def _ft_config(tmp_path: Path, train: str) -> Path:
    cfg = tmp_path / "ft.yaml"
    data = {
        "training": {"model": str(tmp_path / "no-model"), "task": "pos"},
        "sources": [{"lang": "eng", "train": train}],
        "targets": [{"lang": "eus", "test": "shared:ud/x.conllu"}],
    }
    cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
    return cfg


@pytest.mark.parametrize("ref", ESCAPES[:3])
def test_finetune_config_escape_is_refused_without_echo(tmp_path: Path, data_root: Path, ref: str) -> None:
    out = run_cli("finetune", "--config", _ft_config(tmp_path, ref))
    assert out.code == 1 and not out.traceback, out.stderr
    assert "leaves the data root" in out.stderr
    assert "TOP-SECRET" not in out.stderr + out.stdout


def test_pretrain_corpus_escape_is_refused(tmp_path: Path, data_root: Path) -> None:
    from xlt.finetuning.corpora import read_texts

    with pytest.raises(ConfigError, match="leaves the data root") as info:
        read_texts("shared:../../passwd")
    assert "TOP-SECRET" not in str(info.value)
    assert read_texts("shared:ud/x.conllu") == ["A"]


def test_recipe_escape_names_the_key(
    tmp_path: Path,
    data_root: Path,
    write_recipe: Callable[[dict], Path],
    projection_recipe: Callable[..., dict],
) -> None:
    data = projection_recipe()
    data["target"]["test"] = "shared:../../passwd"
    out = run_cli("run", write_recipe(data))
    assert out.code == 1 and not out.traceback
    assert "target.test:" in out.stderr and "leaves the data root" in out.stderr
    assert "TOP-SECRET" not in out.stderr + out.stdout


# --- umask -------------------------------------------------------------------------------------
@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)
    os.umask(old)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002, 0o077])
def test_atomic_writes_honour_the_umask(tmp_path: Path, umask: Callable[[int], None], mask: int) -> None:
    from xlt.config import atomic_write_bytes, atomic_write_text
    from xlt.io.conll import write_conll
    from xlt.io.files import atomic_writer
    from xlt.types import LabeledSentence

    umask(mask)
    want = 0o666 & ~mask
    atomic_write_text(tmp_path / "a.json", "{}")
    atomic_write_bytes(tmp_path / "b.bin", b"\x00")
    with atomic_writer(tmp_path / "c.txt.gz") as fh:
        fh.write("x\n")
    write_conll([LabeledSentence(("a",), ("O",))], tmp_path / "d.conll")
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert _mode(plain) == want
    for name in ("a.json", "b.bin", "c.txt.gz", "d.conll"):
        assert _mode(tmp_path / name) == want, name
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_outputs_are_not_0600(tmp_path: Path, umask: Callable[[int], None]) -> None:
    umask(0o022)
    src = tmp_path / "src.conll"
    src.write_text("A B-PER\n\n", encoding="utf-8")
    tgt = tmp_path / "tgt.txt"
    tgt.write_text("a\n", encoding="utf-8")
    al = tmp_path / "al.txt"
    al.write_text("0-0\n", encoding="utf-8")
    out = run_cli(
        "project", "--source", src, "--target", tgt, "--alignments", al, "--out", tmp_path / "o.conll"
    )
    assert out.code == 0, out.stderr
    assert _mode(tmp_path / "o.conll") == 0o644
