"""Core plumbing: registry, config overrides, compressed I/O, errors."""

from __future__ import annotations

import bz2
import gzip
import lzma
from typing import Literal

import pytest

from xlt.config import MethodConfig, apply_overrides
from xlt.errors import ConfigError, DataFormatError, UnknownNameError
from xlt.io.files import atomic_writer, iter_lines
from xlt.registry import Registry


class _Cfg(MethodConfig):
    method: Literal["dummy"] = "dummy"
    k: int = 3


def test_registry_register_build_and_errors() -> None:
    reg: Registry[object] = Registry("things")

    @reg.register("dummy", config=_Cfg, reference="Nobody 2024")
    class Dummy:
        """A dummy method."""

        def __init__(self, config: _Cfg) -> None:
            self.config = config

    obj = reg.build("dummy", {"k": 5})
    assert obj.config.k == 5
    assert reg.names() == ["dummy"]
    assert next(iter(reg)).description == "A dummy method."
    with pytest.raises(UnknownNameError, match="did you mean 'dummy'"):
        reg.get("dumy")
    with pytest.raises(ConfigError):
        reg.register("dummy")(Dummy)


def test_config_unknown_key_and_yaml_roundtrip(tmp_path) -> None:
    with pytest.raises(ConfigError, match="kk: unknown key"):
        _Cfg.from_dict({"kk": 1})
    cfg = _Cfg(k=7)
    path = tmp_path / "c.yaml"
    cfg.save_yaml(path)
    assert _Cfg.from_yaml(path) == cfg
    assert _Cfg.from_yaml(path, ["k=9"]).k == 9


def test_dotted_overrides() -> None:
    data = {"a": {"b": 1}, "c": "x"}
    out = apply_overrides(data, ["a.b=2", "a.d.e=[1, 2]", "c=null"])
    assert out == {"a": {"b": 2, "d": {"e": [1, 2]}}, "c": None}
    assert data == {"a": {"b": 1}, "c": "x"}
    with pytest.raises(ConfigError):
        apply_overrides(data, ["novalue"])


def test_exponent_numbers_are_floats() -> None:
    """YAML 1.1 would read ``1e-4`` as a string (a learning rate that fingerprints unlike ``1.0e-4``)."""
    from xlt.config import safe_load_yaml

    assert safe_load_yaml("a: 1e-4\nb: 1.0E+4\nc: .5e1\nd: 3\ne: 1e\nf: '1e-4'") == {
        "a": 1e-4,
        "b": 1e4,
        "c": 5.0,
        "d": 3,
        "e": "1e",
        "f": "1e-4",
    }
    assert apply_overrides({}, ["x.lr=1e-4"]) == {"x": {"lr": 1e-4}}


@pytest.mark.parametrize(
    "opener,suffix", [(open, ""), (gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")]
)
def test_compressed_reading(tmp_path, opener, suffix) -> None:
    path = tmp_path / f"f.txt{suffix}"
    with opener(path, "wb") as fh:
        fh.write("a b\nč d\n".encode())
    assert list(iter_lines(path)) == [(1, "a b"), (2, "č d")]
    # the plain name also resolves to the compressed file
    if suffix:
        assert [t for _, t in iter_lines(tmp_path / "f.txt")] == ["a b", "č d"]


def test_bad_utf8_names_line(tmp_path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok\n\xff\xfe bad\n")
    with pytest.raises(DataFormatError) as info:
        list(iter_lines(path))
    assert info.value.line == 2 and "bad.txt:2" in str(info.value)


def test_atomic_writer_leaves_nothing_on_failure(tmp_path) -> None:
    path = tmp_path / "out.txt.gz"
    with pytest.raises(RuntimeError), atomic_writer(path) as fh:
        fh.write("partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with atomic_writer(path) as fh:
        fh.write("done\n")
    assert list(iter_lines(path)) == [(1, "done")]


def test_registry_build_reports_bad_options_as_config_error() -> None:
    reg: Registry[object] = Registry("things")
    reg.register("dummy", config=_Cfg)(lambda config: config)
    with pytest.raises(ConfigError, match=r"things method 'dummy'(.|\n)*kk: unknown key"):
        reg.build("dummy", {"kk": 1})
