"""Token-only sentences (the target side of projection) from any of the text formats xlt reads."""

from __future__ import annotations

from pathlib import Path

from xlt.types import Sentence

#: the values ``fmt`` takes in :func:`read_target_tokens`
TARGET_FORMATS = ("auto", "conll", "conllu", "parallel", "lines")


def read_target_tokens(path: Path, fmt: str = "auto") -> list[Sentence]:
    """Target sentences from CoNLL-U, CoNLL (token per line), ``src ||| tgt`` or plain tokenised lines."""
    from xlt.errors import ConfigError
    from xlt.io.conll import read_conll
    from xlt.io.conllu import is_conllu, iter_conllu
    from xlt.io.files import iter_lines
    from xlt.io.parallel import iter_parallel, split_tokens

    if fmt == "auto":
        lines = [line for _, line in zip(range(400), (x for _, x in iter_lines(path)), strict=False)]
        nonblank = [x for x in lines if x.strip() and not x.startswith("#")]
        if is_conllu(path):
            fmt = "conllu"
        elif nonblank and any("|||" in x for x in nonblank[:5]):
            fmt = "parallel"
        elif any(not x.strip() for x in lines) and nonblank and max(len(x.split()) for x in nonblank) <= 4:
            fmt = "conll"
        else:
            fmt = "lines"
    if fmt == "conllu":
        return [Sentence(s.forms, s.sent_id if hasattr(s, "sent_id") else None) for s in iter_conllu(path)]
    if fmt == "conll":
        return [Sentence(s.tokens, s.id) for s in read_conll(path, token_col=0, label_col=None)]
    if fmt == "parallel":
        return [Sentence(p.tgt, p.id) for p in iter_parallel(path, fmt="pharaoh", allow_empty=True)]
    if fmt == "lines":
        return [Sentence(split_tokens(line), f"{path.name}:{n}") for n, line in iter_lines(path)]
    raise ConfigError(f"--target-format {fmt!r}: expected auto, conll, conllu, parallel or lines")
