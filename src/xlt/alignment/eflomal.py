"""Statistical word alignment with eflomal (Östling & Tiedemann 2016).

eflomal (GPLv3) is an optional dependency (``pip install "xlt[align]"``),
imported only when an alignment is actually run. Both directions are trained
in one call and symmetrized in xlt (:mod:`xlt.alignment.symmetrize`). Optional
Dirichlet priors come from a bilingual dictionary (lexical ``LEX`` priors).
Large corpora are aligned in chunks of ``chunk_size`` pairs, which bounds memory.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from xlt.alignment.base import SymmetrizeMethod, aligners
from xlt.alignment.dictionary import DictionaryFormat, iter_dictionary
from xlt.alignment.symmetrize import symmetrize
from xlt.config import MethodConfig
from xlt.errors import MissingDependencyError, XltError
from xlt.gcpause import gc_paused
from xlt.io.pharaoh import parse_links
from xlt.tempfiles import scoped_tempdir
from xlt.types import Alignment, Link, SentencePair

log = logging.getLogger(__name__)

#: eflomal silently leaves sentences of 1024+ tokens unaligned
MAX_TOKENS = 1000


class EflomalConfig(MethodConfig):
    method: Literal["eflomal"] = "eflomal"
    symmetrize: SymmetrizeMethod = Field(
        "grow-diag-final-and", description="How the forward and reverse alignments are combined."
    )
    model: Literal[1, 2, 3] = Field(3, description="1 = IBM1, 2 = +HMM, 3 = +HMM+fertility.")
    n_samplers: int = Field(3, ge=1, description="Independent Gibbs samplers (averaged).")
    rel_iterations: float = Field(1.0, gt=0, description="Iterations relative to eflomal's default.")
    null_prior: float = Field(0.2, ge=0, le=1, description="Prior probability of a NULL alignment.")
    normalize: Literal["none", "nfkc", "nfkd-strip-accents"] = Field(
        "nfkc", description="Unicode normalisation before alignment (eflomal lowercases itself)."
    )
    prefix_len: int = Field(0, ge=0, description="Cut words to this many characters (0 = keep whole words).")
    dictionary: Path | None = Field(None, description="Bilingual dictionary used as lexical priors.")
    dictionary_format: DictionaryFormat = Field("auto", description="hunalign, tsv or muse (auto-detected).")
    dictionary_swap: bool = Field(
        False,
        description="The dictionary's source side is the target language of the pairs (e.g. en-xx for xx-en).",
    )
    prior_weight: float = Field(1.0, gt=0, description="Dirichlet pseudo-count of each dictionary link.")
    n_runs: int = Field(
        1, ge=1, description="Independent eflomal trainings (its sampler is unseeded); links are voted."
    )
    run_agreement: float = Field(
        0.5,
        gt=0,
        le=1,
        description="n_runs > 1: keep a directional link found in more than this share of runs.",
    )
    chunk_size: int = Field(
        250_000, ge=1000, description="Most training pairs per eflomal run (bounds memory on huge corpora)."
    )


def _normalize(token: str, mode: str) -> str:
    if mode == "none":
        return token
    if mode == "nfkc":
        return unicodedata.normalize("NFKC", token)
    decomposed = unicodedata.normalize("NFKD", token)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped) or token


def _clean_tokens(tokens: Sequence[str], mode: str) -> str:
    """One eflomal input line: normalised tokens joined by spaces (eflomal splits lines on
    whitespace, so whitespace inside a token becomes ``_`` and an empty token is ``_``)."""
    return " ".join("_".join(_normalize(tok, mode).split()) or "_" for tok in tokens)


@aligners.register(
    "eflomal",
    config=EflomalConfig,
    reference="Östling & Tiedemann 2016, Efficient Word Alignment with Markov Chain Monte Carlo",
    example={"rel_iterations": 0.05, "n_samplers": 1},
    requires=("eflomal",),
    unseeded="eflomal's Gibbs sampler takes no seed, so links vary slightly between runs",
)
class EflomalAligner:
    """Bayesian IBM/HMM/fertility aligner (eflomal), both directions, symmetrized in xlt."""

    def __init__(self, config: EflomalConfig) -> None:
        self.config = config
        #: extra lexical priors ``(source word, target word, pseudo-count)``, e.g. from embedding links
        self.lexical_priors: list[tuple[str, str, float]] = []
        #: seconds spent inside eflomal (input preparation + sampler) in the last ``align`` call
        self.eflomal_seconds_ = 0.0

    # -- priors ------------------------------------------------------------------
    def _prior_lines(self, train: Sequence[SentencePair]) -> list[str] | None:
        cfg = self.config
        if cfg.dictionary is None and not self.lexical_priors:
            return None

        def key(word: str) -> str:
            w = _normalize(word, cfg.normalize).lower()
            return w[: cfg.prefix_len] if cfg.prefix_len else w

        src_vocab = {key(t) for p in train for t in p.src}
        tgt_vocab = {key(t) for p in train for t in p.tgt}
        seen: set[tuple[str, str]] = set()
        lines = []
        extra: dict[tuple[str, str], float] = {}
        for src, tgt, weight in self.lexical_priors:
            s, t = _clean_tokens([src], cfg.normalize).lower(), _clean_tokens([tgt], cfg.normalize).lower()
            extra[s, t] = extra.get((s, t), 0.0) + weight
        lines.extend(f"LEX\t{s}\t{t}\t{w:g}\n" for (s, t), w in extra.items())
        entries = iter_dictionary(cfg.dictionary, cfg.dictionary_format) if cfg.dictionary is not None else ()
        for src, tgt in entries:
            if cfg.dictionary_swap:
                src, tgt = tgt, src
            s, t = _normalize(src, cfg.normalize), _normalize(tgt, cfg.normalize)
            if key(s) in src_vocab and key(t) in tgt_vocab and (s.lower(), t.lower()) not in seen:
                seen.add((s.lower(), t.lower()))
                lines.append(f"LEX\t{s.lower()}\t{t.lower()}\t{cfg.prior_weight:g}\n")
        log.info("%d lexical priors (%d from the aligner's own links)", len(lines), len(extra))
        return lines

    # -- alignment ---------------------------------------------------------------
    def _run(self, train: Sequence[SentencePair]) -> tuple[list[set[Link]], list[set[Link]]]:
        """Forward and reverse links for every pair of ``train`` (all non-empty)."""
        try:
            from eflomal import Aligner
        except ImportError:
            raise MissingDependencyError("eflomal", extra="align", purpose="the eflomal aligner") from None
        cfg = self.config
        aligner = Aligner(
            model=cfg.model,
            n_samplers=cfg.n_samplers,
            rel_iterations=cfg.rel_iterations,
            null_prior=cfg.null_prior,
            source_prefix_len=cfg.prefix_len,
            target_prefix_len=cfg.prefix_len,
        )
        priors = self._prior_lines(train)
        src_lines = (_clean_tokens(p.src, cfg.normalize) + "\n" for p in train)
        tgt_lines = (_clean_tokens(p.tgt, cfg.normalize) + "\n" for p in train)
        with scoped_tempdir("eflomal") as tmp:  # eflomal's own tmp* files go inside too
            fwd_path, rev_path = Path(tmp, "fwd"), Path(tmp, "rev")
            start = time.perf_counter()
            try:
                aligner.align(
                    src_lines,
                    tgt_lines,
                    links_filename_fwd=str(fwd_path),
                    links_filename_rev=str(rev_path),
                    priors_input=priors,
                    quiet=not log.isEnabledFor(logging.DEBUG),
                )
            except (OSError, ValueError, RuntimeError) as err:
                raise XltError(f"eflomal failed: {err}") from err
            self.eflomal_seconds_ += time.perf_counter() - start
            fwd = _read_links(fwd_path)
            rev = _read_links(rev_path)
        if len(fwd) != len(train) or len(rev) != len(train):
            raise XltError(f"eflomal returned {len(fwd)}/{len(rev)} alignments for {len(train)} pairs")
        return fwd, rev

    def _voted_run(self, train: Sequence[SentencePair]) -> tuple[list[set[Link]], list[set[Link]]]:
        """``n_runs`` independent trainings; a link survives if found in > ``run_agreement`` of them."""
        n = self.config.n_runs
        if n == 1:
            return self._run(train)
        counts: list[tuple[Counter[Link], Counter[Link]]] = [(Counter(), Counter()) for _ in train]
        for _ in range(n):
            fwd, rev = self._run(train)
            for k in range(len(train)):
                counts[k][0].update(fwd[k])
                counts[k][1].update(rev[k])
        need = self.config.run_agreement * n
        keep = lambda c: {link for link, m in c.items() if m > need}  # noqa: E731
        return [keep(f) for f, _ in counts], [keep(r) for _, r in counts]

    def align_directional(
        self, pairs: Sequence[SentencePair], *, extra: Sequence[SentencePair] = ()
    ) -> list[tuple[set[Link], set[Link]]]:
        """Forward and reverse links for each pair (empty sentences get no links).

        Pairs longer than eflomal's limit (``MAX_TOKENS`` per side) are cut into
        proportional segments aligned as separate pairs, then merged back."""
        pieces: list[tuple[int, int, int, SentencePair]] = []  # (pair, src offset, tgt offset, segment)
        for k, p in enumerate(pairs):
            if p.src and p.tgt:
                pieces.extend((k, so, to, seg) for so, to, seg in split_long(p))
        extra_pieces = [seg for p in extra if p.src and p.tgt for _, _, seg in split_long(p)]
        out: list[tuple[set[Link], set[Link]]] = [(set(), set()) for _ in pairs]
        self.eflomal_seconds_ = 0.0
        size = self.config.chunk_size
        for start in range(0, len(pieces), size):
            chunk = pieces[start : start + size]
            room = max(0, size - len(chunk))
            train = [seg for *_, seg in chunk] + extra_pieces[:room]
            fwd, rev = self._voted_run(train)
            for n, (k, so, to, _) in enumerate(chunk):
                if so == to == 0 and not out[k][0] and not out[k][1]:
                    out[k] = (fwd[n], rev[n])
                else:
                    out[k][0].update((i + so, j + to) for i, j in fwd[n])
                    out[k][1].update((i + so, j + to) for i, j in rev[n])
        return out

    def align(self, pairs: Sequence[SentencePair], *, extra: Sequence[SentencePair] = ()) -> list[Alignment]:
        directional = self.align_directional(pairs, extra=extra)
        with gc_paused():
            return [to_alignment(f, r, self.config.symmetrize) for f, r in directional]


def to_alignment(forward: set[Link], reverse: set[Link], method: str) -> Alignment:
    """Symmetrize and attach a confidence per link (1.0 if both directions agree, else 0.5)."""
    links = symmetrize(forward, reverse, method)
    scores = dict.fromkeys(links, 0.5)
    scores.update(dict.fromkeys(links & forward & reverse, 1.0))
    return Alignment(sure=frozenset(links), scores=scores)


def split_long(pair: SentencePair, limit: int = MAX_TOKENS) -> list[tuple[int, int, SentencePair]]:
    """``pair`` itself, or proportional segments ``(src offset, tgt offset, segment)`` of
    at most ``limit`` tokens per side."""
    longest = max(len(pair.src), len(pair.tgt))
    if longest <= limit:
        return [(0, 0, pair)]
    k = -(-longest // limit)
    out = []
    for n in range(k):
        s0, s1 = n * len(pair.src) // k, (n + 1) * len(pair.src) // k
        t0, t1 = n * len(pair.tgt) // k, (n + 1) * len(pair.tgt) // k
        if s1 > s0 and t1 > t0:
            out.append((s0, t0, SentencePair(pair.src[s0:s1], pair.tgt[t0:t1], pair.id)))
    return out


def _read_links(path: Path) -> list[set[Link]]:
    with open(path, encoding="utf-8") as fh, gc_paused():
        return [parse_links(line, path=path, lineno=n) for n, line in enumerate(fh, 1)]
