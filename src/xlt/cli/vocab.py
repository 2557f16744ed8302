"""``xlt vocab``: train target tokenizers, transfer a model to a new vocabulary, TransMI merging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, config_from_cli, emit_json, stdout_console
from xlt.cli.options import check_applicable, config_options
from xlt.vocab.configs import INITIALIZER_CONFIGS, TokenizerTrainingConfig, TransliterationConfig

#: the built-in initializers, listed in --method's help
_METHODS = [c.model_fields["method"].default for c in INITIALIZER_CONFIGS]
#: the panel of the initializer options (the union of the built-in initializers' config fields)
_INIT_PANEL = "Initializer options (from the config models; plugins: --config / --set)"

vocab_app = typer.Typer(
    help="Target tokenizers and vocabulary transfer (WECHSEL, FOCUS, trans-tokenization...).",
    no_args_is_help=True,
)


def _texts(paths: list[Path], limit: int | None = None) -> list[str]:
    from xlt.finetuning.corpora import read_texts

    out: list[str] = []
    for p in paths:
        out.extend(read_texts(p, limit=limit))
    return out


def _parallel(paths: list[Path]) -> list[tuple[str, str]]:
    from xlt.errors import ConfigError
    from xlt.io.parallel import read_parallel

    if not paths:
        return []
    if len(paths) > 2:
        raise ConfigError(
            "--parallel takes one file (|||/TSV) or two files (source, target: Bibles or line-aligned)"
        )
    pairs = read_parallel(paths[0] if len(paths) == 1 else paths, tokenizer=str.split)
    return [(" ".join(p.src), " ".join(p.tgt)) for p in pairs if p.src and p.tgt]


def _transfer(
    src_model, src_tok, tgt_tok, init, data, out: Path, fmt: OutputFormat, **extra_rows: int
) -> None:
    """Give ``src_model`` the vocabulary of ``tgt_tok`` (rows from ``init``), save it to ``out``, report."""
    from xlt.vocab.apply import save_transferred, transfer_model

    adapted, report = transfer_model(src_model, src_tok, tgt_tok, init, data)
    report.rows.update(extra_rows)
    save_transferred(adapted, tgt_tok, out, report)
    _report(report, out, fmt)


def _report(report, out: Path, fmt: OutputFormat) -> None:
    if fmt == OutputFormat.json:
        emit_json({"out": str(out), **report.__dict__})
        return
    console = stdout_console()
    console.print(
        f"{report.method}: {report.source_vocab_size} -> {report.target_vocab_size} tokens, saved to {out}"
    )
    for kind, n in report.rows.items():
        console.print(f"  {kind:<16}{n:>8}")
    console.print(f"  tied output embeddings: {report.tied}; {report.seconds:.1f}s")


@vocab_app.command("train-tokenizer")
@config_options(TokenizerTrainingConfig, panel="Tokenizer options (TokenizerTrainingConfig)")
def train_tokenizer_cmd(
    corpora: list[Path] = typer.Argument(
        ..., help="Target-language text files (plain, CoNLL, CoNLL-U, TSV, Bible XML; .gz ok)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (save_pretrained)."),
    like: str | None = typer.Option(
        None, "--like", help="Tokenizer/model whose special tokens (and, for `same`, pipeline) to use."
    ),
    limit: int | None = typer.Option(None, "--limit", help="Use at most this many texts per file."),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML with the tokenizer options."),
    sets: list[str] = SetOption,
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """Train a target-language tokenizer (BPE / Unigram / WordPiece)."""
    from xlt.hub import load_tokenizer
    from xlt.vocab.tokenizer import train_tokenizer

    cfg = config_from_cli(TokenizerTrainingConfig, config_file=config, sets=sets, flags=options)
    texts = _texts(corpora, limit)
    ref = load_tokenizer(like) if like else None
    tok = train_tokenizer(texts, like=ref, **cfg.model_dump())
    tok.save_pretrained(out)
    info = {
        "out": str(out),
        "kind": cfg.kind,
        "vocab_size": len(tok),
        "texts": len(texts),
        "special_tokens": tok.all_special_tokens,
    }
    if fmt == OutputFormat.json:
        emit_json(info)
    else:
        stdout_console().print(
            f"trained a {cfg.kind} tokenizer with {len(tok)} tokens on {len(texts)} texts -> {out}"
        )


def _initializer(method: str, config: Path | None, sets: list[str], options: dict[str, Any]) -> Any:
    """The chosen initializer, built from --config, its generated flags and --set."""
    from xlt.vocab.initializers import initializers

    cfg_cls = initializers.config_class(method)
    check_applicable(options, cfg_cls, f"initializer {method!r}")
    cfg = config_from_cli(cfg_cls, config_file=config, sets=sets, flags={**options, "method": method})
    return initializers.build(method, cfg)


@vocab_app.command("transfer")
@config_options(*INITIALIZER_CONFIGS, exclude=("method",), panel=_INIT_PANEL)
def transfer_cmd(
    model: str = typer.Argument(..., help="Source model (hub id or path)."),
    tokenizer: str = typer.Option(
        ...,
        "--tokenizer",
        "-t",
        help="Target tokenizer (path or hub id), e.g. from `xlt vocab train-tokenizer`.",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory for the adapted model + tokenizer."),
    method: str = typer.Option(
        "wechsel", "--method", "-m", help=f"Initializer: {', '.join(_METHODS)} (`xlt methods initializers`)."
    ),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML with the initializer's options."),
    source_corpus: list[Path] = typer.Option([], "--source-corpus", help="Source-language text (WECHSEL)."),
    target_corpus: list[Path] = typer.Option(
        [], "--target-corpus", help="Target-language text (WECHSEL, FOCUS)."
    ),
    dictionary: list[Path] = typer.Option(
        [], "--dictionary", help="Bilingual dictionary file(s), English first (WECHSEL)."
    ),
    dictionary_language: str | None = typer.Option(
        None, "--dictionary-language", help="Use the shared MUSE/Wiktionary dictionaries of this language."
    ),
    parallel: list[Path] = typer.Option(
        [],
        "--parallel",
        help="Parallel corpus: one |||/TSV file, or source and target files / Bibles (trans-tokenization).",
    ),
    limit: int | None = typer.Option(None, "--limit", help="Use at most this many texts per corpus file."),
    sets: list[str] = SetOption,
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code"),
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """Replace a model's vocabulary with a target tokenizer's, initialising the new embeddings."""
    from xlt.hub import load_saved_model, load_tokenizer
    from xlt.vocab.dictionaries import load_dictionary, read_dictionary
    from xlt.vocab.initializers import TransferData

    init = _initializer(method, config, sets, options or {})
    pairs: list[tuple[str, str]] = [p for d in dictionary for p in read_dictionary(d)]
    if dictionary_language:
        pairs += load_dictionary(dictionary_language)
    data = TransferData(
        source_texts=_texts(source_corpus, limit),
        target_texts=_texts(target_corpus, limit),
        parallel=_parallel(parallel)[:limit] if limit else _parallel(parallel),
        dictionary=list(dict.fromkeys(pairs)),
    )
    src_model = load_saved_model(model, trust_remote_code=trust_remote_code)
    src_tok = load_tokenizer(model, trust_remote_code=trust_remote_code)
    tgt_tok = load_tokenizer(tokenizer, trust_remote_code=trust_remote_code)
    _transfer(src_model, src_tok, tgt_tok, init, data, out, fmt)


@vocab_app.command("extend")
@config_options(
    *INITIALIZER_CONFIGS,
    exclude=("method",),
    names={"min_count": ("--init-min-count",)},  # --min-count is the new words' own bar
    panel=_INIT_PANEL,
)
def extend_cmd(
    model: str = typer.Argument(..., help="Model (hub id or path) whose tokenizer is extended."),
    corpora: list[Path] = typer.Argument(..., help="Target-language text files."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory."),
    num_tokens: int = typer.Option(1000, "--num-tokens", help="Most new whole-word tokens to add."),
    min_count: int = typer.Option(3, "--min-count", help="Only words seen at least this often."),
    method: str = typer.Option(
        "focus", "--method", "-m", help="Initializer for the new rows (existing rows are copied)."
    ),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML with the initializer's options."),
    sets: list[str] = SetOption,
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """Add frequent target words that the tokenizer over-segments, and initialise their embeddings."""
    from xlt.hub import load_saved_model, load_tokenizer
    from xlt.vocab.initializers import TransferData
    from xlt.vocab.tokenizer import extend_tokenizer, new_words

    init = _initializer(method, config, sets, options or {})

    texts = _texts(corpora)
    src_tok = load_tokenizer(model)
    tgt_tok, added = extend_tokenizer(
        src_tok, new_words(texts, src_tok, num_tokens=num_tokens, min_count=min_count)
    )
    src_model = load_saved_model(model)
    _transfer(
        src_model, src_tok, tgt_tok, init, TransferData(target_texts=texts), out, fmt, added_words=len(added)
    )


@vocab_app.command("transmi")
@config_options(TransliterationConfig, exclude=("method",), panel="Options (TransliterationConfig)")
def transmi_cmd(
    model: str = typer.Argument(..., help="Model (hub id or path) to extend with transliterated pieces."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory."),
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """TransMI: add romanised copies of the vocabulary's pieces (embedding = mean of their originals)."""
    from xlt.hub import load_saved_model, load_tokenizer
    from xlt.vocab.initializers import initializers
    from xlt.vocab.transliterate import transmi_tokenizer

    cfg = TransliterationConfig(**(options or {}))
    src_tok = load_tokenizer(model)
    tgt_tok, _added = transmi_tokenizer(src_tok, cfg.scheme)
    src_model = load_saved_model(model)
    init = initializers.build("transliteration", cfg)
    _transfer(src_model, src_tok, tgt_tok, init, None, out, fmt)


@vocab_app.command("transliterate")
@config_options(TransliterationConfig, include=("scheme",))
def transliterate_cmd(
    path: Path = typer.Argument(..., help="Text file, one text per line (.gz ok)."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output file (compressed by suffix, written atomically)."
    ),
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """Romanise a text file line by line (for models that only know the Latin script)."""
    from xlt.io.files import atomic_writer, iter_lines
    from xlt.vocab.transliterate import transliterate

    scheme = TransliterationConfig(**(options or {})).scheme

    n = changed = 0
    with atomic_writer(out) as fh:
        for _, line in iter_lines(path):
            roman = transliterate(line, scheme)
            changed += roman != line
            n += 1
            fh.write(roman + "\n")
    info = {"out": str(out), "lines": n, "changed": changed, "scheme": scheme}
    if fmt == OutputFormat.json:
        emit_json(info)
    else:
        stdout_console().print(f"romanised {n} lines ({changed} changed) -> {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(vocab_app, name="vocab")
