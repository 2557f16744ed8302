"""The labelled data of a task, read one way for recipes (`xlt run`), `xlt finetune` and scripts.

- ``classification``: :func:`xlt.io.classification.read_classification` (SIB-200 TSV,
  ``text<TAB>label``, CSV, JSONL), every example kept.
- any other task (``ner``, ``pos``, tagging): :func:`xlt.io.conllu.read_tagged`: CoNLL-U with
  its UPOS column as labels, or a token-per-line CoNLL file (``.iob2`` with the UNER columns);
  sentences without tokens are dropped.

``limit`` keeps the first examples after that (``None`` or 0: all of them). ``xlt project``
reads its inputs with ``read_tagged`` directly instead: there a sentence is a line of the
alignment file, so none may be dropped, and the label column is a flag.
"""

from __future__ import annotations

from pathlib import Path

from xlt.io.classification import read_classification
from xlt.io.conllu import read_tagged
from xlt.types import LabeledSentence, TextExample

#: the CoNLL-U column read as labels for token tasks
TOKEN_LABEL_COLUMN = "upos"


def read_task_data(
    path: str | Path, task: str, *, limit: int | None = None
) -> list[TextExample] | list[LabeledSentence]:
    """The labelled examples of ``task`` in ``path`` (see the module docstring)."""
    if task == "classification":
        examples: list = list(read_classification(path))
    else:
        examples = [s for s in read_tagged(path, column=TOKEN_LABEL_COLUMN) if len(s)]
    return examples[:limit] if limit else examples
