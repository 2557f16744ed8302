"""Dataset catalog: ids, resolution under a data root, offline fetch errors."""

from __future__ import annotations

import gzip
from typing import ClassVar

import pytest

from xlt.catalog import available_languages, entry, is_catalog_id, list_entries, resolve, resolve_reference
from xlt.catalog.fetch import FetchError, fetch
from xlt.errors import ConfigError, DataNotFoundError, UnknownNameError


def test_entries_record_url_and_licence() -> None:
    e = entry("ud:Basque-BDT:test")
    assert e.path == "ud/UD_Basque-BDT/eu_bdt-ud-test.conllu"
    assert e.url and e.url.startswith(
        "https://raw.githubusercontent.com/UniversalDependencies/UD_Basque-BDT/"
    )
    assert "NC" in e.licence
    assert entry("bible:Ukranian-NT").path == "bible/Ukranian-NT.xml"
    assert entry("masakhaner2:hau:train").path == "masakhaner2/hau/train.txt"
    assert entry("sib200:wol_Latn:test").format == "sib-tsv"
    assert entry("tprojection:hau:train").url.endswith("hau.train.txt")
    assert entry("europarl-ner:de:test").licence
    ids = {x.id for x in list_entries()}
    assert {"ud:English-EWT:train", "bible:Basque-NT", "masakhapos:hau:dev"} <= ids
    assert all(x.url is None or x.url.startswith("https://") for x in list_entries())


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ("ud:Basqe-BDT:test", "Basque-BDT"),
        ("ud:Basque-BDT:valid", "split"),
        ("bible:Basq-NT", "Basque-NT"),
        ("masakhaner2:xyz:train", "language"),
        ("sib200:wolof:test", "FLORES"),
        ("nope:x", "dataset family"),
    ],
)
def test_bad_ids_suggest(bad: str, match: str) -> None:
    with pytest.raises(UnknownNameError, match=match):
        entry(bad)


def test_is_catalog_id() -> None:
    assert is_catalog_id("ud:English-EWT:train")
    assert not is_catalog_id("data/train.conllu")
    assert not is_catalog_id("c:/data.txt")


def test_resolve_under_a_root_finds_gz(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    f = tmp_path / "root" / "masakhaner2" / "hau" / "dev.txt.gz"
    f.parent.mkdir(parents=True)
    with gzip.open(f, "wt") as fh:
        fh.write("Kano B-LOC\n")
    assert resolve("masakhaner2:hau:dev", root=tmp_path / "root") == f
    assert resolve_reference("masakhaner2:hau:dev", root=tmp_path / "root") == f
    with pytest.raises(DataNotFoundError, match="xlt data fetch masakhaner2:hau:test"):
        resolve("masakhaner2:hau:test", root=tmp_path / "root")


def test_available_languages_lists_local_files_in_catalog_order(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "root"
    for lang, split in (("yor", "train"), ("hau", "train"), ("hau", "dev"), ("wol", "dev")):
        (root / "masakhaner2" / lang).mkdir(parents=True, exist_ok=True)
        (root / "masakhaner2" / lang / f"{split}.txt").write_text("Kano B-LOC\n", encoding="utf-8")
    assert available_languages("masakhaner2", root) == ["hau", "yor"]
    assert available_languages("masakhaner2", root, split="dev") == ["hau", "wol"]
    assert available_languages("masakhapos", root) == []
    (tmp_path / "cache" / "xlt" / "data" / "masakhaner2" / "ewe").mkdir(parents=True)
    (tmp_path / "cache" / "xlt" / "data" / "masakhaner2" / "ewe" / "train.txt").write_text("x O\n")
    assert available_languages("masakhaner2", root) == ["ewe", "hau", "yor"]
    assert available_languages("masakhaner2", root, cache=False) == ["hau", "yor"]
    with pytest.raises(UnknownNameError):
        available_languages("masakhaner3", root)
    with pytest.raises(ConfigError, match="bible"):
        available_languages("bible", root)


def test_resolve_reference_plain_paths(tmp_path) -> None:
    (tmp_path / "a.conll").write_text("x O\n", encoding="utf-8")
    assert resolve_reference("a.conll", base=tmp_path) == tmp_path / "a.conll"
    with pytest.raises(DataNotFoundError):
        resolve_reference("missing.conll", base=tmp_path)


def test_fetch_offline_reports_clearly(tmp_path, monkeypatch) -> None:
    import urllib.error
    import urllib.request

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XLT_DATA", str(tmp_path / "empty"))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(FetchError, match="cannot reach"):
        fetch("masakhaner2:hau:dev")
    assert not [f for f in (tmp_path / "cache").rglob("*") if f.is_file()]  # no partial download left


def test_fetch_empty_response_leaves_no_file(tmp_path, monkeypatch) -> None:
    import io
    import urllib.request

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XLT_DATA", str(tmp_path / "empty"))

    class Resp(io.BytesIO):
        headers: ClassVar[dict[str, str]] = {}

    monkeypatch.setattr(urllib.request, "urlopen", lambda req, timeout: Resp(b""))
    with pytest.raises(FetchError, match="returned no data"):
        fetch("masakhaner2:hau:dev")
    assert not [f for f in (tmp_path / "cache").rglob("*") if f.is_file()]


def test_fetch_writes_atomically_gzipped(tmp_path, monkeypatch) -> None:
    import io
    import urllib.request

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XLT_DATA", str(tmp_path / "empty"))

    class Resp(io.BytesIO):
        headers: ClassVar[dict[str, str]] = {"Content-Length": "10"}

    monkeypatch.setattr(urllib.request, "urlopen", lambda req, timeout: Resp(b"Kano B-LOC\n"))
    path = fetch("masakhaner2:hau:dev")
    assert path.name == "dev.txt.gz"
    assert gzip.open(path, "rt").read() == "Kano B-LOC\n"
    assert resolve("masakhaner2:hau:dev") == path


@pytest.mark.data
def test_packaged_tables_are_what_the_build_script_makes(shared_data, tmp_path) -> None:
    """``scripts/build_catalog_tables.py`` regenerates the packaged tables byte for byte."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).parents[2] / "scripts" / "build_catalog_tables.py"
    spec = importlib.util.spec_from_file_location("build_catalog_tables", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--data", str(shared_data), "--out", str(tmp_path)]) == 0
    packaged = Path(__file__).parents[2] / "src" / "xlt" / "resources" / "catalog"
    for name in ("ud_files.tsv", "bibles.tsv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (packaged / name).read_text(encoding="utf-8")


@pytest.mark.data
def test_finetune_configs_take_the_recipe_data_syntax(shared_data):
    """One syntax for data references: xlt finetune / pretrain paths resolve like a recipe's."""
    from xlt.catalog.resolve import resolve_reference
    from xlt.finetuning.corpora import resolve_data_path

    for ref in ("ud:English-EWT:dev", "shared:sib200/annotated/eng_Latn/dev.tsv"):
        assert resolve_data_path(ref) == resolve_reference(ref) and resolve_data_path(ref).is_file()
