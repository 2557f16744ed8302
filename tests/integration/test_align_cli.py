"""``xlt align`` and ``xlt align evaluate`` end to end."""

import pytest

from xlt.testing.cli import invoke, invoke_json, invoke_ok

FAST = ["--set", "rel_iterations=0.05", "--set", "n_samplers=1"]


def _evaluate(pred, gold, gold_format: str, text=None) -> dict:
    """``xlt align evaluate`` scores (``text``: the ``--text`` file, when the gold needs one)."""
    extra = ["--text", str(text)] if text is not None else []
    return invoke_json(
        "align", "evaluate", "--pred", str(pred), "--gold", str(gold), "--gold-format", gold_format, *extra
    )


def test_align_eflomal_and_evaluate(resources, tmp_path):
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    res = resources / "alignment"
    out = tmp_path / "pred.txt"
    summary = invoke_json(
        "align",
        "--parallel",
        str(res / "tiny.src-tgt"),
        "--symmetrize",
        "gdfa",
        "--out",
        str(out),
        "--train-extra",
        str(res / "tiny.src-tgt"),
        *FAST,
    )
    assert summary["pairs"] == 4 and summary["extra_pairs"] == 4
    assert summary["config"]["symmetrize"] == "grow-diag-final-and"
    lines = out.read_text().splitlines()
    assert len(lines) == 4 and all(lines)
    scores = _evaluate(out, res / "tiny.gold", "naacl", res / "tiny.src-tgt")
    assert set(scores) >= {"aer", "precision", "recall", "f1"}
    # the command scores exactly what the library computes from the same files
    from xlt.alignment.metrics import alignment_scores
    from xlt.io.pharaoh import read_gold, read_pharaoh

    gold, pairs = read_gold(res / "tiny.gold", "naacl", res / "tiny.src-tgt")
    expected = alignment_scores(read_pharaoh(out, pairs=pairs), gold)
    assert scores == pytest.approx(expected)
    assert scores["n_pairs"] == 4 and 0.0 <= scores["aer"] < 1.0  # eflomal finds some gold links


def test_evaluate_xlwa_golden(resources):
    res = resources / "alignment"
    scores = _evaluate(res / "tiny.xlwa.pred", res / "tiny.xlwa.tsv", "xlwa")
    # 3 predicted links, all correct, of 4 gold: P=1, R=3/4, AER = 1 - 6/7
    assert scores["precision"] == 1.0
    assert scores["recall"] == pytest.approx(0.75)
    assert scores["aer"] == pytest.approx(1 - 6 / 7)


def _embedding_args(model_dir, src, tgt, out) -> list[str]:
    return [
        "align",
        "--parallel",
        str(src),
        "--parallel",
        str(tgt),
        "--method",
        "embedding",
        "--model",
        str(model_dir),
        "--layer",
        "1",
        "--out",
        str(out),
    ]


def test_align_embedding_two_files(tiny_model_dir, tmp_path):
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("the house\na car\n")
    tgt.write_text("das haus\nein auto\n")
    out = tmp_path / "pred.txt"
    invoke_ok(*_embedding_args(tiny_model_dir, src, tgt, out))
    assert len(out.read_text().splitlines()) == 2
    # the explicit verb and the old spelling (no verb) write the same links
    args = _embedding_args(tiny_model_dir, src, tgt, tmp_path / "run.txt")
    invoke_ok(args[0], "run", *args[1:])
    assert (tmp_path / "run.txt").read_text() == out.read_text()


def test_align_errors(resources, tmp_path):
    from xlt.cli.app import main

    with pytest.raises(SystemExit) as e:
        main(
            [
                "align",
                "--parallel",
                str(resources / "alignment" / "tiny.src-tgt"),
                "--method",
                "nope",
                "--out",
                str(tmp_path / "x"),
            ]
        )
    assert e.value.code == 1
    r = invoke(
        "align",
        "--parallel",
        str(resources / "alignment" / "tiny.src-tgt"),
        "--dictionary",
        "d.txt",
        "--method",
        "embedding",
        "--out",
        str(tmp_path / "x"),
    )
    assert r.exit_code != 0


def test_align_two_bibles_joined_by_verse(tiny_model_dir, tmp_path):
    en, sw = tmp_path / "en.verses.tsv", tmp_path / "sw.verses.tsv"
    en.write_text(
        "b.JHN.1.1\tIn the beginning was the Word.\nb.JHN.1.2\tHe was with God.\nb.JHN.1.3\tAll things.\n"
    )
    sw.write_text("b.JHN.1.1\tHapo mwanzo kulikuwako Neno.\nb.JHN.1.3\tVyote vilifanyika.\n")
    out, pairs = tmp_path / "pred.txt", tmp_path / "pairs.txt"
    summary = invoke_json(*_embedding_args(tiny_model_dir, en, sw, out), "--write-pairs", str(pairs))
    assert summary["pairs"] == 2
    assert len(out.read_text().splitlines()) == 2
    assert pairs.read_text().splitlines()[0].startswith("In the beginning was the Word .")


@pytest.mark.slow
@pytest.mark.data
def test_hansards_aer_with_eflomal(shared_data, tmp_path):
    """Real data: eflomal on the 447 Hansards test pairs reaches the expected AER (~0.18)."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    d = shared_data / "alignment" / "en-fr_hansards_naacl2003"
    out = tmp_path / "pred.txt"
    invoke_ok("align", "--parallel", str(d / "enfr.src-tgt"), "--out", str(out))
    assert _evaluate(out, d / "enfr.gold", "naacl", d / "enfr.src-tgt")["aer"] < 0.22
