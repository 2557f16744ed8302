"""xlt.io.tasks.read_task_data: the one reader of a task's labelled data (recipes, finetune, scripts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlt.finetuning.run import read_labelled
from xlt.io.classification import read_classification
from xlt.io.conll import read_conll
from xlt.io.conllu import read_conllu
from xlt.io.tasks import read_task_data
from xlt.pipeline import data as pipeline_data
from xlt.types import LabeledSentence

IO = Path(__file__).resolve().parents[1] / "resources" / "io"


def test_classification_reads_every_example_and_limit_keeps_the_first() -> None:
    path = IO / "sib_sample.tsv"
    examples = list(read_classification(path))
    assert read_task_data(path, "classification") == examples
    assert read_task_data(path, "classification", limit=2) == examples[:2]
    assert read_task_data(path, "classification", limit=0) == examples


def test_token_tasks_read_conllu_upos_conll_and_uner_iob2() -> None:
    ud = read_task_data(IO / "ud_sample.conllu", "pos")
    assert ud and [s.labels for s in ud] == [s.column("upos") for s in read_conllu(IO / "ud_sample.conllu")]
    assert read_task_data(IO / "masakhaner_sample.txt", "ner") == read_conll(IO / "masakhaner_sample.txt")
    uner = read_task_data(IO / "uner_sample.iob2", "ner")
    assert uner[0].tokens[:2] == ("Anna", "lives") and uner[0].labels[:2] == ("B-PER", "O")


def test_recipes_and_finetune_read_the_same(tmp_path: Path) -> None:
    for name, task in (
        ("sib_sample.tsv", "classification"),
        ("uner_sample.iob2", "ner"),
        ("ud_sample.conllu", "pos"),
    ):
        expected = read_task_data(IO / name, task)
        assert pipeline_data.read_task_data(IO / name, task) == expected
        assert read_labelled(str(IO / name), task) == expected


def test_sentences_without_tokens_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    from xlt.io import tasks

    sentences = [LabeledSentence(("a",), ("X",)), LabeledSentence((), ()), LabeledSentence(("b",), ("Y",))]
    monkeypatch.setattr(tasks, "read_tagged", lambda path, column: sentences)
    assert [s.tokens for s in read_task_data("any.conll", "pos", limit=2)] == [("a",), ("b",)]
