"""Tables, HTML and Markdown reports, and the runs/report CLI on hand-made run directories."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from xlt.evaluation.matrix import method_table, pair_scores, transfer_matrix
from xlt.evaluation.report import build_report, render_html, render_markdown
from xlt.evaluation.store import RunStore, load_run, write_run
from xlt.testing.cli import invoke, invoke_json, invoke_ok


def _preds(target: str, n_right: int, n: int = 20) -> list[dict]:
    return [{"id": f"{target}-{i}", "lang": target, "gold": "a" if i % 2 else "b",
             "pred": ("a" if i % 2 else "b") if i < n_right else "c"} for i in range(n)]  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """zero-shot from eng (2 seeds) and fra; few-shot from eng; targets wol and hau."""
    specs = [
        ("zero-shot", "eng", "wol", 1, 10), ("zero-shot", "eng", "wol", 2, 12), ("zero-shot", "eng", "hau", 1, 14),
        ("zero-shot", "fra", "wol", 1, 8), ("zero-shot", "fra", "hau", 1, 6),
        ("few-shot", "eng", "wol", 1, 18), ("few-shot", "eng", "hau", 1, 15),
    ]  # fmt: skip
    for method, src, tgt, seed, right in specs:
        write_run(
            tmp_path / f"{method}-{src}-{tgt}-{seed}",
            {"task": "classification", "method": method, "model": "m", "sources": [src], "target": tgt,
             "seed": seed},
            {"accuracy": right / 20},
            predictions=_preds(tgt, right),
            ranking={"target": tgt, "candidates": [
                {"language": {"code": "eng", "given": "eng"}, "score": 0.9, "explanation": {"syntactic": -0.2, "size": 0.5}},
                {"language": "fra", "score": 0.4, "explanation": {"syntactic": -0.1}},
            ]} if (method, src, tgt, seed) == ("zero-shot", "eng", "wol", 1) else None,
        )  # fmt: skip
    return tmp_path


def test_matrix_and_method_table_hand_computed(workspace: Path) -> None:
    runs = [load_run(d) for d in sorted(workspace.iterdir()) if d.is_dir()]
    zero = [r for r in runs if r.method == "zero-shot"]
    m = transfer_matrix(zero, n_resamples=200)
    assert m.rows == ("eng", "fra") and m.cols == ("hau", "wol")
    cell = m.get("eng", "wol")
    assert cell.mean == pytest.approx(0.55) and cell.summary.std == pytest.approx(0.0707107, abs=1e-6)
    assert cell.ci is None and cell.error_bar() == pytest.approx((0.55 - 0.0707107, 0.55 + 0.0707107))
    single = m.get("fra", "hau")
    assert single.mean == 0.3 and single.ci is not None and single.ci.low <= 0.3 <= single.ci.high
    t = method_table(runs, n_resamples=100)
    assert set(t.rows) == {"few-shot from eng", "zero-shot from eng", "zero-shot from fra"}
    assert t.best_in_column("wol") == "few-shot from eng"
    assert pair_scores(zero) == pytest.approx({("eng", "wol"): 0.55, ("eng", "hau"): 0.7, ("fra", "wol"): 0.4,
                                                ("fra", "hau"): 0.3})  # fmt: skip


def test_report_html_and_markdown(workspace: Path) -> None:
    runs = [load_run(d) for d in sorted(workspace.iterdir()) if d.is_dir()]
    dist = {
        "syntactic": {("eng", "wol"): 0.6, ("eng", "hau"): 0.5, ("fra", "wol"): 0.55, ("fra", "hau"): 0.7}
    }
    rep = build_report(runs, distances=dist, n_resamples=200, title="My <report>")
    html = render_html(rep)
    assert html.startswith("<!DOCTYPE html>") and "<title>My &lt;report&gt;</title>" in html
    assert not re.search(r"(src|href)=['\"]?https?:", html) and "<script" not in html
    assert html.count("class='cell'") == 4 + 2  # zero-shot 2x2 matrix + few-shot 1x2
    assert "class='whisker'" in html and "class='fit'" in html and "class='point'" in html
    assert "Source-language ranking explanations" in html and "syntactic -0.2" in html
    # best vs runner-up on wol: few-shot (18/20) vs zero-shot eng (2 seeds: tested against seed 1 only)
    comp = {c.target: c for c in rep.comparisons}
    assert comp["wol"].best == "few-shot from eng" and comp["wol"].seeds == (1,)
    assert comp["wol"].test.delta == pytest.approx(0.9 - 0.5)
    md = render_markdown(rep)
    assert "| source \\ target | hau | wol | avg |" in md
    plain = md.replace("**", "")
    assert "| eng | 70.0 [50.0, 90.0] | 55.0 ± 7.1 | 62.5 |" in plain
    assert (
        "| classification | wol | few-shot from eng | zero-shot from eng | +40.00 | < 0.0025 | 20 |" in plain
    )
    assert "## Correlation of transfer scores with language distance: classification" in md
    assert rep.to_dict()["correlations"]["classification"][0]["n"] == 4


def test_runs_cli(workspace: Path) -> None:
    invoke_ok("runs", "record", workspace, "--workspace", workspace)
    assert len(RunStore.for_workspace(workspace)) == 7
    listed = invoke_json("runs", "list", "-w", workspace, "--target", "wol")
    assert len(listed) == 4 and {r["target"] for r in listed} == {"wol"}
    shown = invoke_json("runs", "show", listed[0]["run_id"], "-w", workspace)
    assert shown["run_id"] == listed[0]["run_id"]
    ci = shown["ci"]["wol"]
    assert ci["metric"] == "accuracy" and ci["low"] <= shown["score"] <= ci["high"] and ci["n"] == 20
    a, b = workspace / "few-shot-eng-wol-1", workspace / "zero-shot-fra-wol-1"
    out = invoke_json("runs", "compare", a, b, "--n-resamples", "2000")
    assert out["scores"][out["runs"][0]["run_id"]] == {"wol": 0.9}
    (test,) = out["tests"]
    assert test["delta"] == pytest.approx(0.5) and test["p_value"] < 0.01
    assert invoke("runs", "list", "-w", workspace / "nowhere").exit_code != 0


def test_report_cli_formats(workspace: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist.csv"
    dist.write_text(
        "source,target,lexical\neng,wol,0.2\neng,hau,0.3\nfra,wol,0.5\nfra,hau,0.9\n", encoding="utf-8"
    )
    for fmt in ("html", "markdown", "json"):
        out = tmp_path / f"r.{fmt}"
        invoke_ok("report", workspace, "--out", out, "--format", fmt, "--no-typology", "--distances", dist,
                  "--n-resamples", "100")  # fmt: skip
        assert out.stat().st_size > 500
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (corr,) = data["correlations"]["classification"]
    assert corr["distance"] == "lexical" and corr["n"] == 4 and corr["pearson_r"] < 0


def test_report_mexa_section(workspace: Path) -> None:
    from xlt.evaluation.mexa import MexaReport, summarise

    runs = [load_run(d) for d in sorted(workspace.iterdir()) if d.is_dir()]
    mexa = MexaReport("tiny", "eng_Latn", "mean", 2, {
        "wol_Latn": summarise("wol_Latn", [0.3, 0.5], 10), "hau_Latn": summarise("hau_Latn", [0.6, 0.8], 10),
    })  # fmt: skip
    rep = build_report(runs, mexa=mexa, n_resamples=50)
    # transfer from English per target, averaged over methods and seeds: wol (.5+.6+.9)/3, hau (.7+.75)/2
    assert rep.mexa_correlation["n"] == 2
    assert dict((lang, y) for lang, _, y in rep.mexa_correlation["points"]) == pytest.approx(
        {"hau": 0.725, "wol": 2 / 3}
    )
    html = render_html(rep)
    assert "MEXA alignment with English" in html and "class='series'" in html
    assert "| wol_Latn | 0.400 | 0.500 | 1 |" in render_markdown(rep)


def test_label_scores_read_both_layouts(tmp_path: Path) -> None:
    from xlt.evaluation.report import label_scores

    a = load_run(
        write_run(
            tmp_path / "a", {"task": "ner"}, {"f1": 0.5, "test": {"f1": 0.5, "f1_PER": 0.7, "f1_LOC": 0.3}}
        )
    )
    b = load_run(write_run(tmp_path / "b", {"task": "ner"}, {"f1": 0.5, "per_label": {"PER": {"f1": 0.9}}}))
    assert label_scores(a) == {"PER": 0.7, "LOC": 0.3} and label_scores(b) == {"PER": 0.9}
    html = render_html(build_report([a, b], n_resamples=10))
    assert "<h2 id='labels'>" in html and "<nav class='toc'>" in html and "href='#labels'" in html


def test_latex_tables(workspace: Path) -> None:
    from xlt.evaluation.report import render_latex, tex_escape

    runs = [load_run(d) for d in sorted(workspace.iterdir()) if d.is_dir()]
    dist = {"syn_tax": {("eng", "wol"): 0.6, ("eng", "hau"): 0.5, ("fra", "wol"): 0.55, ("fra", "hau"): 0.7}}
    tex = render_latex(build_report(runs, distances=dist, n_resamples=20))
    assert tex.count("\\begin{tabular}") == tex.count("\\end{tabular}") == 2 + 1 + 1
    assert "eng & \\textbf{70.0} & \\textbf{55.0{\\scriptsize$\\pm$7.1}} & 62.5 \\\\" in tex
    assert "syn\\_tax & 4 & $-$0.692 &" in tex
    assert tex_escape("a_b & 50% {x}") == "a\\_b \\& 50\\% \\{x\\}"


def test_within_target_correlation_table(tmp_path: Path) -> None:
    runs = [
        load_run(
            write_run(
                tmp_path / src, {"task": "ner", "sources": [src], "target": "wol"}, {"f1": f1}, record=False
            )
        )
        for src, f1 in (("eng", 0.3), ("fra", 0.4), ("hau", 0.6))
    ]
    dist = {"genetic": {("eng", "wol"): 0.9, ("fra", "wol"): 0.8, ("hau", "wol"): 0.3}}
    rep = build_report(runs, distances=dist, n_resamples=10)
    assert rep.target_correlations["ner"]["wol"][0].spearman_rho == pytest.approx(-1.0)
    assert "Within each target" in render_html(rep)


def test_report_projection_resources_table(tmp_path: Path) -> None:
    """Projection runs with a resource report get a row each: sources, verses, agreement, MWT share."""
    resources = {
        "sources": [{"language": "eng", "verse_pairs": 7957, "projected_token_coverage": 0.61}],
        "target_verses": 7957,
        "verses_kept": 7001,
        "train_token_coverage": 0.8,
        "source_agreement": {},
        "zero_shot_agreement": {"eng": 0.745},
        "zero_shot_test": 0.712,
        "test_tokenization": {"multiword_word_share": 0.031},
        "match_tokenization": {"target_tokens": 2000, "target_tokens_changed": 86},
        "multiword_split": {"target_tokens": 2000, "target_tokens_split": 57},
    }
    write_run(
        tmp_path / "eus",
        {"task": "pos", "method": "projection", "model": "transformers", "sources": ["eng"], "target": "eus"},
        {"accuracy": 0.761, "resources": resources},
    )
    write_run(tmp_path / "plain", {"task": "pos", "method": "zero-shot", "target": "eus"}, {"accuracy": 0.7})
    runs = [load_run(tmp_path / name) for name in ("eus", "plain")]
    html = render_html(build_report(runs, n_resamples=10))
    section = html.split("<h2 id='resources'>")[1].split("<h2")[0]
    assert "eng (7,957 verses, 61.0%)" in section and "7,001 / 7,957" in section
    assert all(v in section for v in ("74.5", "71.2", "3.1", "4.3", "2.9", "76.1"))
    assert section.count("<tr>") == 2  # the header and the one projection run
    assert "href='#resources'" in html
    assert "id='resources'" not in render_html(build_report(runs[1:], n_resamples=10))


def test_report_templates_ship_as_package_data() -> None:
    """Every file under the report's templates folder is matched by pyproject's package-data."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    import xlt

    package = Path(xlt.__file__).resolve().parent
    patterns = tomllib.loads((package.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["xlt"]
    templates = sorted((package / "evaluation" / "report" / "templates").iterdir())
    assert templates and all(any(t.relative_to(package).match(p) for p in patterns) for t in templates)
