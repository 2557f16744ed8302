"""End to end: real runs on SIB-200 -> run store -> HTML report -> headless Chromium screenshot."""

from __future__ import annotations

import random
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlt.cli.app import app
from xlt.evaluation.metrics import classification_scores, per_label_prf
from xlt.evaluation.store import RunStore, load_run, write_run

SOURCES = ("eng_Latn", "fra_Latn")
TARGETS = ("wol_Latn", "hau_Latn", "yor_Latn", "swh_Latn", "spa_Latn", "deu_Latn")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def _read_sib(root: Path, lang: str, split: str) -> list[tuple[str, str, str]]:
    from xlt.io.files import iter_lines

    rows = []
    for lineno, line in iter_lines(root / "sib200" / "annotated" / lang / f"{split}.tsv"):
        if lineno == 1:
            continue
        idx, label, text = line.split("\t")
        rows.append((idx, label, text))
    return rows


def _ranking(target: str) -> dict | None:
    """The packaged source-language ranker's output for ``target`` where it is available."""
    from xlt.cli.common import to_jsonable
    from xlt.errors import XltError

    try:
        from xlt.ranking.api import rank_sources

        ranked = rank_sources(target.split("_")[0], [s.split("_")[0] for s in SOURCES], task="ner")
    except (ImportError, XltError):
        return None
    return {"target": target, "candidates": to_jsonable(ranked)}


def make_real_runs(data: Path, out: Path) -> list[Path]:
    """Zero-shot topic classification on SIB-200: a multinomial naive Bayes over character or word
    n-grams, trained on a seeded 90% subsample of a source's train split and evaluated on each
    target's test split (fast enough for the default suite; real data, real metrics)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    tests = {t: _read_sib(data, t, "test") for t in TARGETS}
    dirs = []
    for method, analyzer, ngrams in (("char-ngram-nb", "char_wb", (1, 4)), ("word-nb", "word", (1, 1))):
        for source in SOURCES:
            train = _read_sib(data, source, "train")
            for seed in (1, 2) if source == "eng_Latn" else (1,):
                sample = random.Random(seed).sample(train, k=int(0.9 * len(train)))
                model = make_pipeline(
                    CountVectorizer(analyzer=analyzer, ngram_range=ngrams), MultinomialNB(alpha=0.3)
                )
                model.fit([text for _, _, text in sample], [label for _, label, _ in sample])
                for target, rows in tests.items():
                    pred = [str(p) for p in model.predict([text for _, _, text in rows])]
                    gold = [label for _, label, _ in rows]
                    metrics = dict(classification_scores(gold, pred))
                    metrics["per_label"] = per_label_prf(gold, pred)
                    run_dir = out / f"{method}-{source}-{target}-s{seed}"
                    write_run(
                        run_dir,
                        {"task": "classification", "method": method, "model": "multinomial-nb", "sources": [source],
                         "target": target, "seed": seed, "dataset": "sib200", "timings": {"train_s": 0.0}},
                        metrics,
                        ranking=_ranking(target) if (method, source, seed) == ("word-nb", "eng_Latn", 1) else None,
                        predictions=[
                            {"id": idx, "lang": target, "gold": g, "pred": p}
                            for (idx, _, _), g, p in zip(rows, gold, pred, strict=True)
                        ],
                    )  # fmt: skip
                    dirs.append(run_dir)
    return dirs


def _png_scanlines(data: bytes) -> tuple[int, int, int, bytes]:
    """``(width, height, bytes per pixel, decompressed filtered scanlines)`` of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and ctype in (2, 6), "expected 8-bit RGB(A), not interlaced"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, {2: 3, 6: 4}[ctype], zlib.decompress(idat)


def decode_png(path: Path) -> tuple[int, int, int, list[bytes]]:
    """``(width, height, channels, rows)`` of an 8-bit RGB/RGBA PNG, unfiltered, with the stdlib only."""
    width, height, bpp, raw = _png_scanlines(path.read_bytes())
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):  # undo the PNG filters (None, Sub, Up, Average, Paeth)
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def screenshot_stats(path: Path) -> tuple[int, float]:
    """(number of distinct colours, share of pixels that are not the background colour).

    Rows stored with PNG filter None or Sub do not depend on the row above, so they are decoded
    directly (fast, and an unbiased sample of rows); only without enough of them is every row unfiltered.
    """
    data = path.read_bytes()
    width, _height, bpp, rows = _sample_rows(data)
    if len(rows) < 20:
        width, _height, bpp, rows = decode_png(path)
    pixels = [row[x * bpp : x * bpp + 3] for row in rows for x in range(0, width, 2)]
    counts: dict[bytes, int] = {}
    for px in pixels:
        counts[px] = counts.get(px, 0) + 1
    return len(counts), 1 - max(counts.values()) / len(pixels)


def _sample_rows(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """The rows stored with filter None or Sub (decodable without the row above)."""
    width, height, bpp, raw = _png_scanlines(data)
    stride, rows = width * bpp, []
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        if ftype in (0, 1):
            rows.append(bytes(line))
    return width, height, bpp, rows


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    return None


@pytest.mark.data
@pytest.mark.browser
def test_report_from_real_runs_renders_in_chromium(shared_data: Path, tmp_path: Path) -> None:
    runs_root = tmp_path / "workspace"
    dirs = make_real_runs(shared_data, runs_root)
    store = RunStore.for_workspace(runs_root)
    ids = store.record_many(dirs)
    assert len(store) == len(ids) == len(dirs) == 6 * 3 * 2

    html = tmp_path / "report.html"
    md = tmp_path / "report.md"
    runner = CliRunner()
    res = runner.invoke(app, ["report", str(runs_root), "--out", str(html), "--n-resamples", "300"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(runs_root), "--out", str(md), "--format", "markdown"])
    assert res.exit_code == 0, res.output
    text = html.read_text(encoding="utf-8")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text
    assert text.count("<svg") >= 4 and "class='cell'" in text and "class='whisker'" in text
    assert "class='fit'" in text, "distance scatter with a least-squares line expected"
    assert "<h2 id='labels'>" in text  # per-label F1 from metrics.json
    assert "| source \\ target |" in md.read_text(encoding="utf-8")
    if any(load_run(d).has_ranking for d in dirs):
        assert "Source-language ranking explanations" in text

    chromium = _chromium()
    if chromium is None:
        pytest.skip("Chromium not installed (apt-get install -y chromium); report written but not rendered")
    profile = tmp_path / "profile"
    shot = tmp_path / "report.png"
    url = html.resolve().as_uri()
    base = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    try:
        dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True, timeout=90)
        subprocess.run(
            [*base, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", url],
            capture_output=True, text=True, timeout=90,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as err:
        pytest.skip(f"Chromium could not run here: {err}")
    if dom.returncode != 0 or not dom.stdout.strip():  # the browser itself failed (not our page)
        pytest.skip(f"Chromium did not render (exit {dom.returncode}): {dom.stderr[-400:]}")
    assert len(re.findall(r"<svg\b", dom.stdout)) >= 4
    assert len(re.findall(r"<rect[^>]*class=\"cell\"", dom.stdout)) >= len(TARGETS) * len(SOURCES)
    assert shot.exists() and shot.stat().st_size > 10_000
    colours, ink = screenshot_stats(shot)
    assert colours > 20 and ink > 0.03, f"screenshot looks blank: {colours} colours, {ink:.1%} non-background"


def _write_png(path: Path, rows: list[bytes], width: int, filters: list[int]) -> None:
    """A hand-made 8-bit RGB PNG with the given per-row filter bytes (rows already filtered)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(bytes([f]) + r for f, r in zip(filters, rows, strict=True))
    ihdr = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def test_png_checks_on_hand_made_images(tmp_path: Path) -> None:
    white = tmp_path / "white.png"
    _write_png(white, [b"\xff" * 30] * 40, 10, [0] * 40)
    assert screenshot_stats(white) == (1, 0.0)
    # 8 px per row: 4 white then 4 black; written with the Sub filter (deltas) on every other row
    plain = b"\xff" * 12 + b"\x00" * 12
    sub = b"\xff" * 3 + b"\x00" * 9 + b"\x01" * 3 + b"\x00" * 9  # 0x00 - 0xff = 0x01 (mod 256)
    half = tmp_path / "half.png"
    _write_png(half, [plain, sub] * 20, 8, [0, 1] * 20)
    assert screenshot_stats(half) == (2, 0.5)
    _, _, _, rows = decode_png(half)
    assert set(rows) == {plain}
