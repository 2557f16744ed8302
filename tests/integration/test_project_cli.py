"""``xlt project`` and ``xlt project evaluate`` end to end."""

import json

import pytest

from xlt.testing.cli import invoke, invoke_json, invoke_ok


def _evaluate(pred, gold, *extra: str):
    """``xlt project evaluate --format json`` (the result: callers check success or failure)."""
    return invoke("project", "evaluate", "--pred", pred, "--gold", gold, *extra, "--format", "json")


def test_project_ner_and_evaluate(resources, tmp_path):
    res = resources / "alignment"
    out, stats = tmp_path / "out.conll", tmp_path / "stats.json"
    summary = invoke_json(
        "project",
        "--source",
        res / "src.conll",
        "--target",
        res / "tgt.txt",
        "--alignments",
        res / "tgt.pharaoh",
        "--task",
        "ner",
        "--out",
        out,
        "--stats",
        stats,
    )
    assert summary["sentences"] == 2
    assert summary["sources"][0]["projected"] == 2
    assert json.loads(stats.read_text())["span_status"][0][0]["status"] == "projected"
    r = _evaluate(out, res / "tgt.gold.conll")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["f1"] == 1.0


def test_project_pos_multisource_and_accuracy(resources, tmp_path):
    res = resources / "alignment"
    out = tmp_path / "out.conll"
    invoke_ok(
        "project",
        "--source",
        res / "src.pos.conll",
        "--alignments",
        res / "tgt.pos.pharaoh",
        "--source",
        res / "src.pos.conll",
        "--alignments",
        res / "tgt.pos.pharaoh",
        "--weight",
        "1",
        "--weight",
        "2",
        "--target",
        res / "tgt.pos.txt",
        "--task",
        "pos",
        "--out",
        out,
    )
    assert out.read_text().split("\n\n")[0].splitlines() == ["John PROPN", "wohnt VERB"]
    assert "Hallo _" in out.read_text()
    r = _evaluate(out, res / "src.pos.conll", "--task", "pos")
    # tokens differ from the source file: a clear mismatch error
    assert r.exit_code != 0


def test_project_mismatch_is_an_error(resources, tmp_path):
    from xlt.cli.app import main

    res = resources / "alignment"
    with pytest.raises(SystemExit) as e:
        main(
            [
                "project",
                "--source",
                str(res / "src.conll"),
                "--target",
                str(res / "tgt.pos.txt"),
                "--alignments",
                str(res / "tgt.pharaoh"),
                "--out",
                str(tmp_path / "o.conll"),
            ]
        )
    assert e.value.code == 1


def test_project_multisource_with_rank_weights(resources, tmp_path):
    res = resources / "alignment"
    out = tmp_path / "out.conll"
    args = [
        "project",
        "--target",
        str(res / "tgt.txt"),
        "--task",
        "ner",
        "--out",
        str(out),
        "--format",
        "json",
    ]
    for lang in ("eng", "fra"):
        args += [
            "--source",
            str(res / "src.conll"),
            "--alignments",
            str(res / "tgt.pharaoh"),
            "--source-lang",
            lang,
        ]
    weights = json.loads(invoke_ok(*args, "--rank-target", "swa").stdout)["weights"]
    assert len(weights) == 2 and abs(sum(weights) - 1.0) < 1e-6
    assert out.read_text().splitlines()[:2] == ["John B-PER", "Smith I-PER"]
    r = invoke(*args[:-2], "--rank-target", "swa")  # one --source-lang missing
    assert r.exit_code != 0


@pytest.mark.data
def test_identity_projection_on_europarl_is_perfect(shared_data, tmp_path):
    """Real data: projecting the English Europarl gold onto itself through identity links gives F1 1."""
    from xlt.io.conll import read_conll

    gold = shared_data / "projection" / "europarl_ner_agerri2018" / "en-europarl.test.conll02"
    sents = read_conll(gold)
    links = tmp_path / "id.txt"
    links.write_text("".join(" ".join(f"{i}-{i}" for i in range(len(s))) + "\n" for s in sents))
    out = tmp_path / "out.conll"
    invoke_ok("project", "run", "--source", gold, "--target", gold, "--alignments", links, "--out", out)
    assert json.loads(_evaluate(out, gold).stdout)["f1"] == 1.0
    old = tmp_path / "old.conll"  # the spelling without the verb still works, to the same output
    invoke_ok("project", "--source", gold, "--target", gold, "--alignments", links, "--out", old)
    assert old.read_text() == out.read_text()
