"""`xlt run` end to end through the CLI on tiny hand-made fixtures (tests/resources/pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xlt.io.conll import read_conll
from xlt.testing.cli import invoke, invoke_json, invoke_ok

RES = Path(__file__).parents[1] / "resources" / "pipeline"


# fast settings for the shared projection recipe (tests/conftest.py::projection_recipe)
FAST = {
    "model": {"method": "crf", "max_iterations": 30},
    "align": {"method": "eflomal", "options": {"symmetrize": "intersection", "n_samplers": 1}},
}


def test_projection_recipe_end_to_end_with_cache(tmp_path, write_recipe, projection_recipe) -> None:
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    recipe = write_recipe(projection_recipe(**FAST))
    out = invoke_json("run", str(recipe))
    m = out["metrics"]
    assert m["primary_metric"] == "accuracy"
    assert m["accuracy"] > 0.8  # the toy target language is a near word-for-word translation
    assert m["projection"]["kept"] > 50
    assert "most_frequent_projected_tag" in m["baselines"]
    run_dir = tmp_path / "out"
    for name in ("metrics.json", "run.json", "resolved_recipe.yaml", "run.log", "projection_stats.json"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "model" / "model.crfsuite").is_file()
    info = json.loads((run_dir / "run.json").read_text())
    assert info["sources"] == ["eng"] and info["target"] == "xx" and "versions" in info
    assert set(info["timings"]) >= {
        "train-source-0-eng",
        "align-0-eng",
        "project-0-eng",
        "train-target",
        "total",
    }
    assert json.loads((run_dir / "metrics.json").read_text())["accuracy"] == m["accuracy"]

    # re-running skips every finished step and gives the same score
    again = invoke_json("run", str(recipe))
    assert {"train-source-0-eng", "align-0-eng", "train-target", "evaluate"} <= set(again["cached_steps"])
    assert again["metrics"]["accuracy"] == m["accuracy"]

    # a changed option redoes only what depends on it
    changed = invoke_json("run", str(recipe), "--set", "projection.min_coverage=0.9")
    assert "align-0-eng" in changed["cached_steps"] and "combine" not in changed["cached_steps"]

    # --force redoes everything; text output prints the target accuracy
    forced = invoke_ok("run", str(recipe), "--force")
    assert "target accuracy:" in forced.stdout
    assert "cached" not in forced.stdout


def test_multi_source_projection(write_recipe, projection_recipe) -> None:
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    src = {"train": str(RES / "source_train.conllu"), "parallel": str(RES / "source.verses.tsv")}
    recipe = write_recipe(
        projection_recipe(
            **FAST,
            source=None,
            sources=[{"language": "eng", **src}, {"language": "enm", **src, "weight": 2.0}],
            projection={"voting": "weights"},
        )
    )
    m = invoke_json("run", str(recipe))["metrics"]
    assert m["projection"]["vote_weights"] == {"eng": 1.0, "enm": 2.0}
    assert m["accuracy"] > 0.8
    # two copies of one source: their projections agree on (nearly) every token both label
    assert set(m["resources"]["source_agreement"]) == {"eng+enm"}
    assert m["resources"]["source_agreement"]["eng+enm"] > 0.8
    assert m["resources"]["test_tokenization"] is None  # a CoNLL test file has no multiword tokens


def test_sources_chosen_by_a_ranker(write_recipe, projection_recipe, tmp_path) -> None:
    """projection.source_top_k: only the sources the ranker rates closest are tagged and aligned."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    src = {"train": str(RES / "source_train.conllu"), "parallel": str(RES / "source.verses.tsv")}
    data = projection_recipe(
        **FAST,
        source=None,
        sources=[{"language": "tur", **src}, {"language": "deu", **src}, {"language": "jpn", **src}],
        target={**projection_recipe()["target"], "language": "nld"},
        projection={"source_top_k": 1, "source_ranker": "syntactic"},
    )
    out = invoke_json("run", str(write_recipe(data)))
    sel = out["metrics"]["source_selection"]
    assert sel["kept"] == ["deu"] and sel["left_out"] == ["tur", "jpn"] and sel["ranker"] == "syntactic"
    assert sel["scores"]["deu"] > max(sel["scores"]["tur"], sel["scores"]["jpn"])
    steps = {p.name for p in (Path(data["output_dir"]) / "steps").iterdir()}
    assert any("deu" in s for s in steps) and not any("tur" in s or "jpn" in s for s in steps)
    # a ranker that must be fitted first is refused before any step
    bad = {
        **data,
        "output_dir": str(tmp_path / "bad"),
        "projection": {"source_top_k": 1, "source_ranker": "lambdarank"},
    }
    err = invoke("run", str(write_recipe(bad)))
    assert err.exit_code == 1 and "source_ranker: 'lambdarank' cannot rank" in str(err.exception)
    assert not (tmp_path / "bad" / "steps").exists()


def test_kept_sources_and_the_targets_own_language(write_recipe, projection_recipe) -> None:
    """projection.source_keep pins a source whatever the ranker says; a listed source in the
    target's language is left out (one source list serves every target)."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    src = {"train": str(RES / "source_train.conllu"), "parallel": str(RES / "source.verses.tsv")}
    data = projection_recipe(
        **FAST,
        source=None,
        sources=[{"language": x, **src} for x in ("jpn", "deu", "tur", "nld")],
        target={**projection_recipe()["target"], "language": "nld"},
        projection={"source_top_k": 1, "source_keep": ["jpn"]},
    )
    sel = invoke_json("run", str(write_recipe(data)))["metrics"]["source_selection"]
    assert sel["kept"] == ["jpn", "deu"] and sel["pinned"] == ["jpn"]
    assert sel["left_out"] == ["tur", "nld"] and sel["left_out_target_language"] == ["nld"]
    assert set(sel["scores"]) == {"deu", "tur"}  # only the candidates are ranked
    bad = {**data, "projection": {"source_top_k": 1, "source_keep": ["fra"]}}
    err = invoke("run", str(write_recipe(bad)))
    assert err.exit_code == 1 and "source_keep: fra is not a listed source" in str(err.exception)


def _pres_lo_inputs(tmp_path: Path, joined: str, style: str) -> tuple[int, Path, Path]:
    """Inputs for the tokenization-matching runs: how often the target verses hold ``pres lo``,
    those verses with every ``pres lo`` written ``joined``, and a CoNLL-U test set that writes the
    pair the way the tagger sees it: ``multiword`` — a multiword token ``preslo`` over the words
    ``pres lo``; ``glued`` — the tokens ``pres 'lo``, the first with ``SpaceAfter=No``."""
    verses = (RES / "target.verses.tsv").read_text(encoding="utf-8")
    n_pairs = verses.count(" pres lo ")
    assert n_pairs > 10
    parallel = tmp_path / "target.joined.tsv"
    parallel.write_text(verses.replace(" pres lo ", f" {joined} "), encoding="utf-8")
    lines = []
    for sid, sent in enumerate(read_conll(RES / "target_test.conll"), 1):
        lines.append(f"# sent_id = t{sid}")
        for i, (form, tag) in enumerate(zip(sent.tokens, sent.labels, strict=True)):
            first = sent.tokens[i : i + 2] == ("pres", "lo")
            second = i > 0 and sent.tokens[i - 1 : i + 1] == ("pres", "lo")
            misc = "_"
            if style == "multiword" and first:
                lines.append(f"{i + 1}-{i + 2}\tpreslo" + "\t_" * 8)
            elif style == "glued":
                form = "'lo" if second else form
                misc = "SpaceAfter=No" if first else "_"
            lines.append(f"{i + 1}\t{form}\t_\t{tag}" + "\t_" * 5 + f"\t{misc}")
        lines.append("")
    test = tmp_path / "test.conllu"
    test.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n_pairs, parallel, test


def test_multiword_tokens_split_like_the_test_set(write_recipe, projection_recipe, tmp_path) -> None:
    """projection.multiword_split: target: the parallel text's fused ``preslo`` is split into the
    words ``pres lo`` the CoNLL-U test set gives the tagger, before alignment."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    n_fused, fused, test = _pres_lo_inputs(tmp_path, "preslo", "multiword")
    target = {"language": "xx", "parallel": str(fused), "test": str(test)}
    data = projection_recipe(**FAST, target=target, projection={"multiword_split": "target"})
    m = invoke_json("run", str(write_recipe(data)))["metrics"]
    split = m["multiword_split"]
    assert split["target_tokens_split"] == n_fused and split["lexicon"] == 1
    assert split["learned_from"] == [str(test)] and m["resources"]["multiword_split"] == split
    aligned = (Path(data["output_dir"]) / "steps").glob("align-*/alignments.txt")
    assert next(iter(aligned)).is_file()
    train = [
        json.loads(x) for x in next((Path(data["output_dir"]) / "steps").glob("combine*/train.jsonl")).open()
    ]
    words = {w for x in train for w in x["tokens"]}
    assert "preslo" not in words and {"pres", "lo"} <= words
    assert m["accuracy"] > 0.8
    # without the option the fused token is trained on as one word
    plain = projection_recipe(**FAST, target=target, output_dir=str(tmp_path / "plain"))
    m0 = invoke_json("run", str(write_recipe(plain)))["metrics"]
    assert "multiword_split" not in m0 and m0["resources"]["multiword_split"] is None
    # a file that is not CoNLL-U is refused by name
    bad = projection_recipe(**FAST, target=target, projection={"multiword_split": str(fused)})
    err = invoke("run", str(write_recipe(bad)))
    assert err.exit_code == 1 and "is not a CoNLL-U file" in str(err.exception)


def test_tokenization_matched_to_the_test_set(write_recipe, projection_recipe, tmp_path) -> None:
    """projection.match_tokenization: target: the parallel text's ``pres'lo`` is cut into the
    tokens ``pres 'lo`` that the CoNLL-U test set writes (``pres`` glued to ``'lo``)."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    n_glued, glued, test = _pres_lo_inputs(tmp_path, "pres'lo", "glued")
    target = {"language": "xx", "parallel": str(glued), "test": str(test)}
    data = projection_recipe(**FAST, target=target, projection={"match_tokenization": "target"})
    m = invoke_json("run", str(write_recipe(data)))["metrics"]
    match = m["match_tokenization"]
    assert match["learned_from"] == [str(test)] and "'lo" in match["right_cuts"]
    assert match["target_tokens_changed"] == 2 * n_glued and m["resources"]["match_tokenization"] == match
    train = [
        json.loads(x) for x in next((Path(data["output_dir"]) / "steps").glob("combine*/train.jsonl")).open()
    ]
    words = {w for x in train for w in x["tokens"]}
    assert "pres'lo" not in words and {"pres", "'lo"} <= words
    # without the option the glued token is trained on as one word
    plain = projection_recipe(**FAST, target=target, output_dir=str(tmp_path / "plain"))
    m0 = invoke_json("run", str(write_recipe(plain)))["metrics"]
    assert "match_tokenization" not in m0
    train0 = next((tmp_path / "plain" / "steps").glob("combine*/train.jsonl")).read_text(encoding="utf-8")
    assert "pres'lo" in train0
    bad = projection_recipe(**FAST, target=target, projection={"match_tokenization": str(glued)})
    err = invoke("run", str(write_recipe(bad)))
    assert err.exit_code == 1 and "projection.match_tokenization" in str(err.exception)


def test_ner_span_projection(write_recipe, projection_recipe) -> None:
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    recipe = write_recipe(
        projection_recipe(
            **FAST,
            task="ner",
            source={
                "language": "eng",
                "train": str(RES / "source_train_ner.conll"),
                "parallel": str(RES / "source.verses.tsv"),
            },
            target={
                "language": "xx",
                "parallel": str(RES / "target.verses.tsv"),
                "test": str(RES / "target_test_ner.conll"),
            },
            projection={"min_coverage": 0.0},
        )
    )
    m = invoke_json("run", str(recipe))["metrics"]
    assert m["primary_metric"] == "f1"
    assert m["f1"] > 0.8
    assert "baselines" not in m  # the MFT baseline is a POS baseline


def _supervised(output_dir: Path, max_iterations: int = 20, **over) -> dict:
    """A supervised POS recipe trained and tested on the toy target file."""
    target = {
        "language": "xx",
        "train": str(RES / "target_test.conll"),
        "test": str(RES / "target_test.conll"),
    }
    return {
        "task": "pos",
        "method": "supervised",
        "model": {"method": "crf", "max_iterations": max_iterations},
        "target": target,
        "output_dir": str(output_dir),
        **over,
    }


def test_zero_shot_and_supervised(tmp_path, write_recipe) -> None:
    zs = write_recipe(
        _supervised(
            tmp_path / "zs",
            method="zero-shot",
            source={"language": "eng", "train": str(RES / "source_train.conllu")},
        )
    )
    m = invoke_json("run", str(zs))["metrics"]
    assert 0.0 <= m["accuracy"] < 0.9  # different vocabulary: only punctuation and shapes transfer
    sup = write_recipe(_supervised(tmp_path / "sup"))
    m = invoke_json("run", str(sup))["metrics"]
    assert m["accuracy"] > 0.95


def test_recipe_run_writes_predictions_and_cis(tmp_path, write_recipe) -> None:
    """predictions.jsonl + bootstrap CIs in metrics.json, also when the evaluate step is cached."""
    run_dir = tmp_path / "ws" / "sup"
    recipe = write_recipe(_supervised(run_dir, max_iterations=10))
    m = invoke_json("run", str(recipe))["metrics"]
    ci = m["ci"]["accuracy"]
    assert ci["low"] <= m["accuracy"] <= ci["high"] and ci["n"] > 0 and m["test"]["ci"] == m["ci"]
    preds = [json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()]
    assert len(preds) == ci["n"] and {p["lang"] for p in preds} == {"xx"}
    n_tok = sum(len(p["gold"]) for p in preds)
    right = sum(g == q for p in preds for g, q in zip(p["gold"], p["pred"], strict=True))
    assert right / n_tok == pytest.approx(m["accuracy"])
    (run_dir / "predictions.jsonl").unlink()
    again = invoke_json("run", str(recipe))
    assert "evaluate" in again["cached_steps"] and again["metrics"]["ci"] == m["ci"]
    assert len((run_dir / "predictions.jsonl").read_text().splitlines()) == len(preds)
    shown = invoke_json("runs", "show", str(run_dir), "--n-resamples", "200")
    assert shown["has_predictions"] and shown["metrics"]["ci"]["accuracy"] == ci
    assert shown["ci"]["xx"]["low"] <= m["accuracy"] <= shown["ci"]["xx"]["high"]
    listed = invoke_json("runs", "list", "--workspace", str(tmp_path / "ws"))
    assert [r["has_predictions"] for r in listed] == [True]


def test_dev_scores_are_cached_steps(tmp_path, write_recipe) -> None:
    """A re-run reuses the dev-set scores instead of predicting the dev set again."""
    data = _supervised(tmp_path / "dev", max_iterations=5)
    data["target"]["dev"] = data["target"]["test"]
    recipe = write_recipe(data)
    first = invoke_json("run", str(recipe))
    assert first["metrics"]["target_dev"]["accuracy"] > 0.5
    again = invoke_json("run", str(recipe))
    assert "evaluate-target.dev" in again["cached_steps"]
    assert again["metrics"]["target_dev"] == first["metrics"]["target_dev"]


def test_classification_with_linear(tmp_path, write_recipe) -> None:
    recipe = write_recipe(
        {
            "task": "classification",
            "method": "supervised",
            "model": "linear",
            "target": {
                "language": "xx",
                "train": str(RES / "cls_train.tsv"),
                "test": str(RES / "cls_test.tsv"),
            },
            "output_dir": str(tmp_path / "cls"),
        },
    )
    m = invoke_json("run", str(recipe))["metrics"]
    assert m["accuracy"] == 1.0
    assert (tmp_path / "cls" / "model" / "weights.npz").is_file()


def test_cli_error_for_bad_recipe(write_recipe, projection_recipe) -> None:
    from xlt.cli.app import main

    recipe = write_recipe(projection_recipe(**FAST, colour="red"))
    with pytest.raises(SystemExit) as exc:
        main(["run", str(recipe)])
    assert exc.value.code == 1


@pytest.mark.data
def test_real_recipe_supervised_basque(tmp_path, shared_data, write_recipe) -> None:
    """A small real recipe through catalog ids: CRF on UD Basque-BDT dev, scored on its test set."""
    recipe = write_recipe(
        {
            "task": "pos",
            "method": "supervised",
            "model": {"method": "crf", "max_iterations": 25},
            "target": {"language": "eus", "train": "ud:Basque-BDT:dev", "test": "ud:Basque-BDT:test"},
            "data_root": str(shared_data),
            "output_dir": str(tmp_path / "eus"),
        },
    )
    m = invoke_json("run", str(recipe))["metrics"]
    assert m["accuracy"] > 0.85
    assert m["test"]["n_tokens"] > 20000
    assert {"NOUN", "VERB", "PUNCT"} <= set(m["test"]["per_label"])


@pytest.mark.data
def test_shipped_recipes_validate(shared_data) -> None:
    """Every shipped recipe parses, and every data reference in it resolves offline."""
    from xlt.pipeline import load_recipe
    from xlt.pipeline.run import Pipeline

    recipes = sorted((Path(__file__).parents[2] / "recipes").glob("*.yaml"))
    assert len(recipes) >= 5
    for path in recipes:
        rec, base = load_recipe(path)
        pipe = Pipeline(rec, base)
        for i, spec in enumerate(rec.all_sources):
            for key in ("train", "dev", "parallel", "tagger"):
                pipe.ref(f"{rec.source_key(i)}.{key}", getattr(spec, key))
        for key in ("parallel", "train", "dev", "test"):
            pipe.ref(f"target.{key}", getattr(rec.target, key))
        for i, spec in enumerate(rec.zero_shot_sources):
            for key in ("train", "dev"):
                pipe.ref(f"zero_shot_sources.{i}.{key}", getattr(spec, key))
        for key in ("multiword_split", "match_tokenization"):
            value = getattr(rec.projection, key, None) if rec.method == "projection" else None
            if value not in (None, "target"):
                pipe.ref(f"projection.{key}", value)


def test_hf_model_path_routes_to_transformers_backend(tmp_path, tiny_model_dir, write_recipe) -> None:
    """`model: <local HF model dir>` runs the transformers backend (tiny local model, no hub)."""
    pytest.importorskip("torch")
    from xlt.models import task_models

    if "transformers" not in task_models:
        pytest.skip("the transformers backend is not installed")
    recipe = write_recipe(
        {
            "task": "pos",
            "method": "zero-shot",
            "model": {
                "method": "transformers",
                "model": str(tiny_model_dir),
                "max_steps": 2,
                "batch_size": 8,
            },
            "source": {"language": "eng", "train": str(RES / "source_train.conllu")},
            "target": {"language": "xx", "test": str(RES / "target_test.conll")},
            "output_dir": str(tmp_path / "hf"),
        },
    )
    m = invoke_json("run", str(recipe))["metrics"]
    assert json.loads((tmp_path / "hf" / "run.json").read_text())["model"] == "transformers"
    # the headline is the token accuracy of the predictions the run wrote for every test token
    records = [json.loads(line) for line in next((tmp_path / "hf").rglob("predictions.jsonl")).open()]
    gold_tokens = [t for s in read_conll(RES / "target_test.conll") for t in s.labels]
    pairs = [(g, p) for r in records for g, p in zip(r["gold"], r["pred"], strict=True)]
    assert [g for g, _ in pairs] == gold_tokens
    assert m["accuracy"] == pytest.approx(sum(g == p for g, p in pairs) / len(pairs))
    # a bare id that is not a backend name is taken as a model id for the transformers backend
    from xlt.models.base import resolve_model_spec

    assert resolve_model_spec(str(tiny_model_dir), "ner") == (
        "transformers",
        {"model": str(tiny_model_dir), "task": "ner"},
    )


@pytest.mark.data
def test_shipped_finetune_configs_validate(shared_data) -> None:
    """Every shipped `xlt finetune` config parses and its data paths resolve offline."""
    from xlt.finetuning.corpora import resolve_data_path
    from xlt.finetuning.run import FinetuneRunConfig

    configs = sorted((Path(__file__).parents[2] / "recipes" / "finetune").glob("*.yaml"))
    assert configs
    for path in configs:
        cfg = FinetuneRunConfig.from_yaml(path)
        for spec in [*cfg.sources, *cfg.targets]:
            for ref in (spec.train, spec.dev, spec.test):
                if ref is not None:
                    assert resolve_data_path(ref).exists(), (path, ref)


def test_projection_with_zero_shot_voter_and_encoder_target(
    tmp_path, tiny_model_dir, write_recipe, projection_recipe, monkeypatch
) -> None:
    """The encoder fine-tuned on the source labels tags the target side, votes with the projected
    labels, and the target encoder continues from it; the source models are shared across runs."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    torch = pytest.importorskip("torch")
    monkeypatch.setenv("XLT_CACHE", str(tmp_path / "cache"))
    enc = {"method": "transformers", "model": str(tiny_model_dir), "batch_size": 8}
    data = projection_recipe(
        align=FAST["align"],
        source_model=FAST["model"],
        zero_shot_model={**enc, "max_steps": 3},
        model={**enc, "max_steps": 2, "selection": "last"},
        target_init="zero-shot",
        projection={"zero_shot_weight": 0.5, "zero_shot_min_confidence": 0.0},
    )
    m = invoke_json("run", str(write_recipe(data)))["metrics"]
    run = tmp_path / "out"
    proj = m["projection"]
    assert proj["vote_weights"] == {"eng": 1.0, "zero-shot": 0.5}
    agreement = proj["zero_shot_agreement"]["0"]
    assert agreement["tokens_both_labelled"] > 0 and 0.0 <= agreement["agreement"] <= 1.0
    assert set(m["baselines"]) == {"most_frequent_projected_tag", "zero_shot"}
    assert m["encoder_coverage"]["used"] is True and m["encoder_coverage"]["words"] > 0
    res = m["resources"]  # the resource report condenses what the run used
    assert [s["language"] for s in res["sources"]] == ["eng"]
    assert res["sources"][0]["verse_pairs"] == proj["per_source"]["eng"]["pairs"] > 0
    assert res["verses_kept"] == proj["kept"] and res["target_verses"] == proj["sentences_in"]
    assert res["zero_shot_agreement"] == {"eng": agreement["agreement"]}
    assert res["source_agreement"] == {} and res["zero_shot_test"] == m["baselines"]["zero_shot"]
    tagged = [
        json.loads(line) for line in (run / "steps" / "tag-target-zero-shot" / "target_tagged.jsonl").open()
    ]
    assert tagged and all(len(t["labels"]) == len(t["tokens"]) for t in tagged)
    # the target model continued from the zero-shot model: same label order, a transformers model
    meta = json.loads((run / "model" / "xlt_task.json").read_text())
    pointer = json.loads((run / "steps" / "train-zero-shot" / "shared.json").read_text())
    zs_meta = json.loads((Path(pointer["path"]) / "model" / "xlt_task.json").read_text())
    assert meta["labels"][: len(zs_meta["labels"])] == zs_meta["labels"]
    assert Path(pointer["path"]).parent == tmp_path / "cache" / "steps"

    # another output directory (another target, say) reuses both source models from the cache
    again = invoke_json("run", str(write_recipe({**data, "output_dir": str(tmp_path / "out2")})))
    assert {"train-source-0-eng", "train-zero-shot"} <= set(again["cached_steps"])
    assert "align-0-eng" not in again["cached_steps"]

    # WiSE-FT: half of the zero-shot encoder's weights mixed back into the target tagger
    mix = {**data, "output_dir": str(tmp_path / "out3"), "projection": {"zero_shot_interpolation": 0.5}}
    m3 = invoke_json("run", str(write_recipe(mix)))["metrics"]
    assert m3["zero_shot_interpolation"]["zero_shot_weight"] == 0.5
    assert m3["zero_shot_interpolation"]["mixed_parameters"] > 0
    from xlt.models.base import load_task_model

    steps = tmp_path / "out3" / "steps"
    tuned = load_task_model(steps / "train-target" / "model").model_.state_dict()
    start = load_task_model(Path(pointer["path"]) / "model").model_.state_dict()
    final = load_task_model(tmp_path / "out3" / "model").model_.state_dict()
    name = next(k for k in final if k.endswith("attention.self.query.weight"))
    assert not torch.equal(tuned[name], start[name])
    assert torch.allclose(final[name], 0.5 * tuned[name] + 0.5 * start[name], atol=1e-6)
    bad = {**data, "target_init": "base", "projection": {"zero_shot_interpolation": 0.5}}
    err = invoke("run", str(write_recipe(bad)))
    assert err.exit_code != 0 and "target_init: zero-shot" in str(err.exception) + err.output


def test_encoder_that_cannot_read_the_target_is_left_out(
    tmp_path, tiny_model_dir, write_recipe, projection_recipe, monkeypatch
) -> None:
    """A target text the encoder's tokenizer cannot spell (an unseen script) gets the projection
    recipe without the encoder: no zero-shot voter, a CRF target tagger, and metrics.json says why."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    pytest.importorskip("torch")
    import xlt.models.coverage as coverage

    monkeypatch.setenv("XLT_CACHE", str(tmp_path / "cache"))
    seen: list[int] = []

    def all_unknown(tokenizer, sentences, max_types=coverage.MAX_TYPES):
        seen.append(sum(len(s) for s in sentences))
        return {"words": seen[-1], "types": 1, "unknown_word_share": 0.9}

    monkeypatch.setattr(coverage, "unknown_word_share", all_unknown)
    enc = {"method": "transformers", "model": str(tiny_model_dir), "batch_size": 8}
    data = projection_recipe(
        align=FAST["align"],
        source_model=FAST["model"],
        zero_shot_model={**enc, "max_steps": 3},
        model={**enc, "max_steps": 2, "selection": "last"},
        target_init="zero-shot",
    )
    out = invoke_json("run", str(write_recipe(data)))
    m = out["metrics"]
    assert seen and seen[0] > 0
    assert m["encoder_coverage"] == {"words": seen[0], "types": 1, "unknown_word_share": 0.9, "used": False}
    assert "zero-shot" not in m["projection"].get("vote_weights", {}) and "zero_shot" not in m["baselines"]
    steps = {p.name for p in (tmp_path / "out" / "steps").iterdir()}
    assert "train-zero-shot" not in steps and "tag-target-zero-shot" not in steps
    assert (tmp_path / "out" / "model" / "model.crfsuite").is_file()  # the CRF, not the encoder
    # the limit is a recipe setting: at 1.0 the same target uses the encoder
    again = invoke_json(
        "run",
        str(
            write_recipe(
                {**data, "projection": {"encoder_max_unknown": 1.0}, "output_dir": str(tmp_path / "o2")}
            )
        ),
    )
    assert again["metrics"]["encoder_coverage"]["used"] is True
    assert "zero-shot" in again["metrics"]["projection"]["vote_weights"]


def test_zero_shot_voter_needs_projection_and_a_transformers_target(write_recipe, projection_recipe) -> None:
    from xlt.testing.cli import invoke

    bad = projection_recipe(model="crf", zero_shot_model="crf", target_init="zero-shot")
    out = invoke("run", str(write_recipe(bad)))
    said = out.output + str(out.exception)
    assert out.exit_code != 0 and "target_init: zero-shot" in said and "transformers" in said
    out = invoke("run", str(write_recipe(projection_recipe(model="crf", target_init="zero-shot"))))
    assert out.exit_code != 0 and "needs zero_shot_model" in out.output + str(out.exception)


def test_zero_shot_sources_train_the_encoder_on_more_languages_but_never_the_target(
    tmp_path, tiny_model_dir, write_recipe, projection_recipe, monkeypatch
) -> None:
    """zero_shot_sources add labelled languages to the zero-shot model's training data (each capped
    by its max_train); an entry in the target's own language is left out and reported."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    pytest.importorskip("torch")
    from xlt.pipeline import data as D

    monkeypatch.setenv("XLT_CACHE", str(tmp_path / "cache"))
    res = Path(__file__).parents[1] / "resources" / "pipeline"
    n_source = len(D.read_task_data(res / "source_train.conllu", "pos"))
    enc = {"method": "transformers", "model": str(tiny_model_dir), "batch_size": 8}
    base = projection_recipe(
        align=FAST["align"],
        source_model=FAST["model"],
        zero_shot_model={**enc, "max_steps": 2},
        model={**enc, "max_steps": 1, "selection": "last"},
        target_init="zero-shot",
    )
    extra = [
        {"language": "deu", "train": str(res / "source_train.conllu"), "max_train": 3},
        {"language": "xx", "train": str(res / "target_test.conll")},  # the target: never trained on
    ]
    m = invoke_json("run", str(write_recipe({**base, "zero_shot_sources": extra})))["metrics"]
    assert m["zero_shot_sources"] == {
        "used": ["deu"],
        "left_out_target_language": ["xx"],
        "n_train": n_source + 3,
    }
    # without them it is another zero-shot model: not taken from the cache
    plain = invoke_json("run", str(write_recipe({**base, "output_dir": str(tmp_path / "o2")})))
    assert "train-zero-shot" not in plain["cached_steps"] and "zero_shot_sources" not in plain["metrics"]


def test_zero_shot_sources_need_a_zero_shot_model_and_train_data(write_recipe, projection_recipe) -> None:
    from xlt.testing.cli import invoke

    out = invoke(
        "run", str(write_recipe(projection_recipe(zero_shot_sources=[{"language": "deu", "train": "x"}])))
    )
    assert out.exit_code != 0 and "zero_shot_sources needs zero_shot_model" in out.output + str(out.exception)
    bad = projection_recipe(zero_shot_model="crf", zero_shot_sources=[{"language": "deu"}])
    out = invoke("run", str(write_recipe(bad)))
    assert out.exit_code != 0 and "zero_shot_sources.0.train is required" in out.output + str(out.exception)


def test_self_training_retrains_the_target_tagger_on_its_confident_labels(
    tmp_path, write_recipe, projection_recipe
) -> None:
    """projection.self_training_rounds: each round tags the target text with the last tagger, keeps
    its confident labels and trains a new tagger; the run's model is the last round's."""
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    data = projection_recipe(
        align=FAST["align"],
        model=FAST["model"],
        projection={
            "self_training_rounds": 2,
            "self_training_min_confidence": 0.5,
            "self_training_top_share": 1.0,
        },
    )
    m = invoke_json("run", str(write_recipe(data)))["metrics"]
    rounds = m["self_training"]
    assert [r["round"] for r in rounds] == [1, 2]
    for r in rounds:
        assert r["kept"] > 0 and r["sentences_in"] >= r["kept"]
        assert 0 < r["train_labelled_tokens"] <= r["train_tokens"]
    steps = tmp_path / "out" / "steps"
    assert {"self-train-tag-1", "self-train-1", "self-train-tag-2", "self-train-2"} <= {
        p.name for p in steps.iterdir()
    }
    lines = (steps / "self-train-tag-2" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == rounds[1]["kept"]
    # keeping the surest half of each label: a bar per label, and fewer tokens stay. The same
    # output directory reuses the aligned, projected target tagger (eflomal is unseeded), so both
    # runs tag the same text with the same model and only the self-training steps differ.
    strict = {**data, "projection": {"self_training_rounds": 1, "self_training_top_share": 0.5}}
    again = invoke_json("run", str(write_recipe(strict)))
    assert "train-target" in again["cached_steps"]
    tight = again["metrics"]["self_training"][0]
    assert set(rounds[0]["label_bars"].values()) == {0.5}  # every share kept: the floor is the bar
    assert set(tight["label_bars"]) == set(rounds[0]["label_bars"])  # a bar for every label
    assert tight["unlabelled_low_confidence"] >= rounds[0]["unlabelled_low_confidence"]
