"""Hostile corpus, class 'memory': bombs fail fast with a clear error, memory stays bounded.

Every bomb is generated on the fly (concatenated compressed members, so a few MB of file
decompress to gigabytes) and read with the address space capped by ``memory_cap``: a reader
that materialised the bomb would fail with ``MemoryError`` instead of swapping the machine.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable
from pathlib import Path

import pytest

from xlt.errors import ConfigError, DataFormatError
from xlt.io.conll import read_conll
from xlt.io.conllu import read_conllu
from xlt.io.files import iter_lines
from xlt.io.parallel import read_bible, read_parallel
from xlt.io.pharaoh import read_naacl
from xlt.testing.hostile import memory_cap, run_cli

MiB = 1024 * 1024
CODECS: dict[str, Callable[[bytes], bytes]] = {
    "gz": lambda b: gzip.compress(b, 1),
    "bz2": lambda b: bz2.compress(b, 1),
    "xz": lambda b: lzma.compress(b, preset=0),
}


def _bomb(path: Path, codec: str, chunk: bytes, repeats: int, tail: bytes = b"") -> Path:
    """``chunk`` compressed once and repeated as concatenated members (decompresses to chunk*repeats)."""
    member = CODECS[codec](chunk)
    with open(path, "wb") as fh:
        for _ in range(repeats):
            fh.write(member)
        if tail:
            fh.write(CODECS[codec](tail))
    return path


@pytest.mark.parametrize("codec", sorted(CODECS))
def test_one_line_of_three_gib_is_refused_streaming(tmp_path: Path, codec: str) -> None:
    path = _bomb(tmp_path / f"bomb.txt.{codec}", codec, b"a" * (16 * MiB), 192)  # 3 GiB, no newline
    with memory_cap(400 * MiB), pytest.raises(DataFormatError) as info:
        for _ in iter_lines(path):
            pass
    assert info.value.path == str(path) and info.value.line == 1
    assert f"line 1 is longer than {16 * MiB} bytes" in str(info.value)


def test_line_cap_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pairs.txt"
    path.write_text("a ||| b\n" + "x " * 600 + "||| y\n", encoding="utf-8")
    assert len(read_parallel(path)) == 2
    monkeypatch.setenv("XLT_MAX_LINE_BYTES", "1000")
    with pytest.raises(DataFormatError, match=r"pairs.txt:2: line 2 is longer than 1000 bytes"):
        read_parallel(path)
    monkeypatch.setenv("XLT_MAX_LINE_BYTES", "lots")
    with pytest.raises(ConfigError, match="XLT_MAX_LINE_BYTES"):
        read_parallel(path)


def test_cli_reports_the_long_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _bomb(tmp_path / "one.txt.gz", "gz", b"tok " * (MiB // 4), 64)  # 64 MiB, one line
    monkeypatch.setenv("XLT_MAX_LINE_BYTES", str(MiB))
    with memory_cap(400 * MiB):
        out = run_cli("data", "check", path)
    assert out.code == 1 and not out.traceback, out.stderr
    assert "one.txt.gz:1: line 1 is longer than 1048576 bytes" in out.stderr


@pytest.mark.parametrize("codec", ["gz", "xz"])
def test_gzipped_single_conll_sentence(tmp_path: Path, codec: str) -> None:
    # 6 million token lines and no blank line: one 'sentence' of 36 MB text, ~1 GB as Python lists
    path = _bomb(tmp_path / f"ner.txt.{codec}", codec, b"word O\n" * 200_000, 30)
    with memory_cap(300 * MiB), pytest.raises(DataFormatError) as info:
        read_conll(path)
    assert info.value.line == 10_001
    assert "sentence starting at line 1 has more than 10000 tokens" in str(info.value)


def test_single_conllu_sentence_and_comment_flood(tmp_path: Path) -> None:
    row = b"1\ta\ta\tNOUN\t_\t_\t0\troot\t_\t_\n"
    rows = b"".join(row.replace(b"1\t", f"{i}\t".encode(), 1) for i in range(1, 101))
    path = _bomb(tmp_path / "big.conllu.gz", "gz", rows, 2000)
    with memory_cap(300 * MiB), pytest.raises(DataFormatError, match="more than 10000 lines"):
        read_conllu(path)
    flood = _bomb(tmp_path / "comments.conllu.gz", "gz", b"# c\n" * 100_000, 50)
    with memory_cap(300 * MiB), pytest.raises(DataFormatError, match="more than 10000 lines"):
        read_conllu(flood)


def test_sentence_cap_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.txt"
    path.write_text("a O\nb O\nc O\n\nd O\n", encoding="utf-8")
    monkeypatch.setenv("XLT_MAX_SENTENCE_TOKENS", "2")
    with pytest.raises(DataFormatError, match=r"s.txt:3: sentence starting at line 1 has more than 2 tokens"):
        read_conll(path)
    monkeypatch.setenv("XLT_MAX_SENTENCE_TOKENS", "3")
    assert len(read_conll(path)) == 2


@pytest.mark.parametrize(
    ("line", "n_sentences", "match"),
    [
        ("9" * 4000 + " 1 1 S", None, "sentence id 99999999999999999999... is past the largest accepted id"),
        ("10000001 1 1", None, "past the largest accepted id 10000000"),
        ("4 1 1 P", 3, "sentence id 4 is past the 3 sentences of the text"),
    ],
    ids=["4000-digit-id", "just-past-cap", "past-text"],
)
def test_gold_file_with_a_huge_sentence_id(
    tmp_path: Path, line: str, n_sentences: int | None, match: str
) -> None:
    path = tmp_path / "gold.naacl"
    path.write_text(f"1 1 1 S\n{line}\n", encoding="utf-8")
    with memory_cap(200 * MiB), pytest.raises(DataFormatError, match=match) as info:
        read_naacl(path, n_sentences=n_sentences)
    assert info.value.line == 2


def test_align_evaluate_gold_with_huge_id(tmp_path: Path) -> None:
    gold = tmp_path / "gold.txt"
    gold.write_text("1 1 1 S\n123456789012 2 2 S\n", encoding="utf-8")
    pred = tmp_path / "pred.txt"
    pred.write_text("0-0\n", encoding="utf-8")
    with memory_cap(300 * MiB):
        out = run_cli("align", "evaluate", "--pred", pred, "--gold", gold, "--gold-format", "aer")
    assert out.code == 1 and not out.traceback and "gold.txt:2:" in out.stderr


# --- YAML -------------------------------------------------------------------------------------
def _laughs(levels: int, width: int = 9) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for k in range(1, levels):
        lines.append(f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


YAML_BOMBS = {
    "billion-laughs": _laughs(9) + "task: pos\n",  # 9**9 = 387 million strings if expanded
    "laughs-in-a-value": "task: &t [a, a, a, a, a, a, a, a, a, a]\n"
    + "".join(
        f"k{i}: &k{i} [*{'t' if i == 0 else f'k{i - 1}'}, *{'t' if i == 0 else f'k{i - 1}'}]\n"
        for i in range(40)
    ),
    "many-aliases": "a: &a x\n" + "".join(f"b{i}: *a\n" for i in range(500)),
    "merge-key-bomb": "base: &b {"
    + ", ".join(f"k{i}: v" for i in range(60))
    + "}\n"
    + "".join(f"m{i}: {{<<: *b}}\n" for i in range(200)),
    "recursive": "a: &a [1, *a]\n",
}


@pytest.mark.parametrize("name", sorted(YAML_BOMBS))
def test_recipe_yaml_bombs_are_refused(tmp_path: Path, name: str) -> None:
    recipe = tmp_path / "bomb.yaml"
    recipe.write_text(YAML_BOMBS[name], encoding="utf-8")
    with memory_cap(300 * MiB):
        out = run_cli("run", recipe)
    assert out.code == 1 and not out.traceback, out.stderr
    assert "bomb.yaml:" in out.stderr
    assert any(w in out.stderr for w in ("aliases", "expands to more than", "recursive YAML alias"))


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("task: pos\nmethod: projection\ntask: ner\n", 3, "'task'"),
        ("task: pos\ntarget:\n  language: eus\n  test: a.conllu\n  test: b.conllu\n", 5, "'test'"),
        ("task: pos\nalign: {method: eflomal, method: embedding}\n", 2, "'method'"),
        ("1: a\n'1': b\n0x1: c\n", 3, "1"),
    ],
    ids=["top-level", "nested", "flow-mapping", "int-keys"],
)
def test_duplicate_keys_are_rejected_with_file_and_line(
    tmp_path: Path, text: str, line: int, key: str
) -> None:
    recipe = tmp_path / "dup.yaml"
    recipe.write_text(text, encoding="utf-8")
    out = run_cli("run", recipe)
    assert out.code == 1 and not out.traceback
    assert f"dup.yaml:{line}: duplicate key {key}" in out.stderr


def test_yaml_configs_of_other_commands_use_the_safe_loader(tmp_path: Path) -> None:
    cfg = tmp_path / "ft.yaml"
    cfg.write_text(_laughs(8), encoding="utf-8")
    with memory_cap(300 * MiB):
        out = run_cli("finetune", "--config", cfg)
    assert out.code == 1 and not out.traceback and "ft.yaml:" in out.stderr


def test_merge_keys_and_few_aliases_still_work() -> None:
    from xlt.config import safe_load_yaml

    data = safe_load_yaml("base: &b {c2: 0.1, seed: 1}\nmodel:\n  <<: *b\n  seed: 2\n", "r.yaml")
    assert data == {"base": {"c2": 0.1, "seed": 1}, "model": {"c2": 0.1, "seed": 2}}


# --- Bible XML ----------------------------------------------------------------------------------
def _bible(body: str, doctype: str = "") -> str:
    return f'<?xml version="1.0"?>\n{doctype}<cesDoc><text><body>\n{body}\n</body></text></cesDoc>\n'


def test_bible_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    ents = ['<!ENTITY e0 "lol">'] + [f'<!ENTITY e{k} "{f"&e{k - 1};" * 10}">' for k in range(1, 10)]
    doc = _bible('<seg id="b.GEN.1.1" type="verse">&e9;</seg>', "<!DOCTYPE cesDoc [" + "".join(ents) + "]>\n")
    path = tmp_path / "bomb.xml"
    path.write_text(doc, encoding="utf-8")
    with memory_cap(300 * MiB), pytest.raises(DataFormatError, match=r"malformed XML|longer than") as info:
        read_bible(path)
    assert info.value.path == str(path)


def test_bible_xml_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE\n", encoding="utf-8")
    doctype = f'<!DOCTYPE cesDoc [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    body = '<seg id="b.GEN.1.1" type="verse">In &xxe; the beginning</seg>\n<seg id="b.GEN.1.2">x</seg>'
    path = tmp_path / "xxe.xml"
    path.write_text(_bible(body, doctype), encoding="utf-8")
    try:
        verses = read_bible(path)
    except DataFormatError as err:
        assert "TOP-SECRET" not in str(err)
    else:
        assert all("TOP-SECRET" not in v for v in verses.values())


def test_bible_xml_huge_verse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLT_MAX_LINE_BYTES", str(MiB))
    head = b'<?xml version="1.0"?>\n<cesDoc><text><body>\n<seg id="b.GEN.1.1" type="verse">'
    path = tmp_path / "huge.xml.gz"
    with open(path, "wb") as fh:
        fh.write(gzip.compress(head))
        member = gzip.compress(b"word " * (MiB // 5), 1)
        for _ in range(200):  # 200 MiB of one verse
            fh.write(member)
        fh.write(gzip.compress(b"</seg></body></text></cesDoc>\n"))
    with (
        memory_cap(300 * MiB),
        pytest.raises(DataFormatError, match=r"verse b\.GEN\.1\.1 is longer than") as info,
    ):
        read_bible(path)
    assert info.value.line == 3


def test_errors_quoting_a_huge_line_stay_short(tmp_path: Path) -> None:
    path = tmp_path / "ner.txt"
    path.write_text("a O\n" + "b\tc\t" + "x" * 1_000_000 + "\n\n", encoding="utf-8")
    out = run_cli("data", "check", path)
    assert out.code == 1 and not out.traceback and "ner.txt:2:" in out.stderr
    assert len(out.stderr) < 2000 and "more characters]" in out.stderr


def test_freedict_body_bomb_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xlt.vocab.dictionaries import iter_freedict

    index = tmp_path / "eng-xxx.index"
    index.write_text("house\tA\tB\n", encoding="utf-8")
    _bomb(tmp_path / "eng-xxx.dict.dz", "gz", b"x" * (16 * MiB), 64)  # 1 GiB
    monkeypatch.setenv("XLT_MAX_DICTIONARY_BYTES", str(16 * MiB))
    with memory_cap(300 * MiB), pytest.raises(DataFormatError, match="XLT_MAX_DICTIONARY_BYTES") as info:
        list(iter_freedict(index))
    assert info.value.path is not None and info.value.path.endswith("eng-xxx.dict.dz")


def test_files_read_whole_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xlt.io.files import read_text

    path = _bomb(tmp_path / "run.json.gz", "gz", b"{}\n" * (4 * MiB), 100)  # 1.2 GB of short lines
    monkeypatch.setenv("XLT_MAX_TEXT_BYTES", str(8 * MiB))
    with memory_cap(300 * MiB), pytest.raises(DataFormatError, match="XLT_MAX_TEXT_BYTES"):
        read_text(path)
    small = tmp_path / "ok.json"
    small.write_text('{"a": 1}\n', encoding="utf-8")
    assert read_text(small) == '{"a": 1}\n'
