"""Constrained-decoding label projection (Codec: Le et al. 2024, "Constrained Decoding for
Cross-lingual Label Projection", ICLR).

The source sentence is first translated without markers, so marker insertion cannot hurt the
translation. The marked source is then decoded a second time with the output constrained to be
exactly that translation's tokens with marker pairs inserted between them (through
``prefix_allowed_tokens_fn``): the model only chooses *where* each marker goes. A finite-state
check keeps every partial output completable (markers only at word boundaries, every marker
pair closed around at least one token, and, with ``require_all``, every source span placed),
so a span is never lost to a malformed output; spans come back as token ranges of the
translation, never by string matching.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from xlt.errors import ConfigError
from xlt.projection.base import bio_spans
from xlt.projection.spans import is_punct
from xlt.translation.projection import (
    MarkerOptions,
    ProjectionTally,
    marked_text,
    plain_text,
    span_types,
    tokens_of_segments,
    too_long,
    translation_projectors,
)
from xlt.types import LabeledSentence, Lang


class ConstrainedProjectorConfig(MarkerOptions):
    method: Literal["constrained"] = "constrained"
    require_all: bool = Field(
        True, description="Force every source span into the output (else the model may leave some out)."
    )
    word_boundaries: bool = Field(
        True, description="Put markers only between words (or next to punctuation), never inside a word."
    )


@dataclass
class _State:
    pos: int = 0  # translation tokens emitted
    remaining: Counter[str] | None = None  # marker pairs still to place, by type
    open_type: str | None = None
    inside: int = 0  # translation tokens inside the open pair
    partial: tuple[int, ...] = ()  # marker ids emitted so far of a marker in progress
    done: bool = False


class _Machine:
    """The constraint of one sentence: translation ids ``seq`` with marker pairs inserted."""

    def __init__(
        self,
        seq: list[int],
        need: Counter[str],
        marker_ids: dict[str, tuple[tuple[int, ...], tuple[int, ...]]],
        boundary: list[bool],
        eos: int,
        require_all: bool,
    ) -> None:
        self.seq, self.need, self.marker_ids, self.eos, self.require_all = (
            seq,
            need,
            marker_ids,
            eos,
            require_all,
        )
        self.boundary = boundary
        n = len(seq)
        self.after = [0] * (n + 2)  # boundaries at positions >= p
        for p in range(n, -1, -1):
            self.after[p] = self.after[p + 1] + boundary[p]

    def _count(self, first: int) -> int:
        return self.after[first] if first <= len(self.seq) else 0

    def feasible(self, pos: int, remaining: Counter[str], open_type: str | None, inside: int) -> bool:
        left = sum(remaining.values()) if self.require_all else 0
        if open_type is not None:  # a close at a boundary >= pos (> pos while the pair is empty)
            return self._count(pos if inside else pos + 1) >= 1 + left
        return left == 0 or self._count(pos) >= 1 + left

    def moves(self, st: _State) -> list[tuple[int, str, Any]]:
        """``(token id, kind, payload)`` moves legal from ``st`` (kinds: tok, marker, eos)."""
        assert st.remaining is not None
        if st.partial:
            return [
                (m[len(st.partial)], "marker", m)
                for m in self._markers(st)
                if m[: len(st.partial)] == st.partial
            ]
        out: list[tuple[int, str, Any]] = []
        n = len(self.seq)
        if st.pos < n:
            inside = st.inside + 1 if st.open_type else 0
            if self.feasible(st.pos + 1, st.remaining, st.open_type, inside):
                out.append((self.seq[st.pos], "tok", None))
        taken = {t for t, _, _ in out}
        for m in self._markers(st):
            if m[0] not in taken:
                out.append((m[0], "marker", m))
        if st.pos == n and st.open_type is None and (not self.require_all or not +st.remaining):
            out.append((self.eos, "eos", None))
        return out

    def _markers(self, st: _State) -> list[tuple[int, ...]]:
        """Complete marker id sequences placeable now (opening or closing)."""
        assert st.remaining is not None
        if not self.boundary[st.pos] and not st.partial:
            return []
        if st.open_type is not None:
            return [self.marker_ids[st.open_type][1]] if st.inside else []
        out = []
        for typ, k in st.remaining.items():
            if k > 0:
                rem = st.remaining.copy()
                rem[typ] -= 1
                if self.feasible(st.pos, rem, typ, 0):
                    out.append(self.marker_ids[typ][0])
        return out

    def step(self, st: _State, token: int) -> tuple[_State, tuple[str, str, int] | None]:
        """The state after ``token``, and ``(event, type, pos)`` when a marker completes."""
        assert st.remaining is not None
        for tid, kind, payload in self.moves(st):
            if tid != token:
                continue
            if kind == "eos":
                return _State(st.pos, st.remaining, None, 0, (), True), None
            if kind == "tok":
                return _State(st.pos + 1, st.remaining, st.open_type, st.inside + bool(st.open_type)), None
            partial = (*st.partial, token)
            if partial != payload:
                return _State(st.pos, st.remaining, st.open_type, st.inside, partial), None
            if st.open_type is not None:
                return _State(st.pos, st.remaining), ("close", st.open_type, st.pos)
            typ = next(t for t, (o, _) in self.marker_ids.items() if o == payload)
            rem = st.remaining.copy()
            rem[typ] -= 1
            return _State(st.pos, rem, typ, 0), ("open", typ, st.pos)
        return _State(st.pos, st.remaining, st.open_type, st.inside, st.partial, True), None

    def replay(self, generated: Sequence[int]) -> tuple[_State, list[tuple[str, int, int]]]:
        """The state after ``generated`` and the placed ``(type, start, end)`` token ranges."""
        st = _State(remaining=self.need.copy())
        spans: list[tuple[str, int, int]] = []
        start = 0
        for token in generated:
            if st.done:
                break
            st, event = self.step(st, token)
            if event is not None:
                kind, typ, pos = event
                if kind == "open":
                    start = pos
                else:
                    spans.append((typ, start, pos))
        return st, spans


@translation_projectors.register(
    "constrained",
    config=ConstrainedProjectorConfig,
    reference="Le et al. 2024, Constrained Decoding for Cross-lingual Label Projection (Codec), ICLR",
)
class ConstrainedProjector:
    """Codec: translate unmarked, then re-decode the marked source constrained to that translation plus markers."""

    def __init__(self, config: ConstrainedProjectorConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}

    def project(
        self,
        source: Sequence[LabeledSentence],
        translator: Any,
        src: Lang,
        tgt: Lang,
        *,
        translations: Sequence[str] | None = None,
    ) -> list[LabeledSentence]:
        """``translations``: plain translations made elsewhere (e.g. by a ``file`` translator);
        by default ``translator`` makes them. The constrained pass always needs an
        ``hf-seq2seq`` translator (it re-decodes with the model)."""
        from xlt.translation.hf import HFSeq2SeqTranslator

        if not isinstance(translator, HFSeq2SeqTranslator):
            raise ConfigError(
                f"projection 'constrained' re-decodes with a seq2seq model; the translator must be "
                f"hf-seq2seq (got {type(translator).__name__})"
            )
        cfg = self.config
        t0 = time.perf_counter()
        tok = translator.load().tokenizer_
        pairs = cfg.pairs_for(span_types(source), source, self._spellable(tok))
        spans = [bio_spans(s.labels) for s in source]
        plain = [plain_text(s) for s in source]
        if translations is None:
            translations = translator.translate(plain, src, tgt)
        if len(translations) != len(source):
            from xlt.errors import MismatchError

            raise MismatchError(f"{len(translations)} translations for {len(source)} source sentences")
        plain_stats = dict(translator.stats_)
        marker_ids = {typ: (self._ids(tok, o), self._ids(tok, c)) for typ, (o, c) in pairs.items()}
        eos = translator._eos()
        status: dict[int, str] = {}
        machines: dict[int, _Machine] = {}
        for k, (text, sp) in enumerate(zip(translations, spans, strict=True)):
            if not text.strip():
                status[k] = "empty_translation"
            elif too_long(plain[k], text, cfg.max_length_ratio):
                status[k] = "over_long"
            elif sp:
                seq = list(tok(text, add_special_tokens=False)["input_ids"])
                need = Counter(t for t, _, _ in sp)
                machine = _Machine(seq, need, marker_ids, self._boundaries(tok, seq), eos, cfg.require_all)
                if cfg.require_all and not machine.feasible(0, need, None, 0):
                    status[k] = "too_few_words"
                else:
                    machines[k] = machine
        todo = sorted(machines)
        prefix_len = translator.decoder_prefix_length(src, tgt)
        forced = translator.language_ids(src, tgt)[1]

        def factory(batch: list[int]):
            def allowed(batch_id: int, input_ids: Any) -> list[int]:
                prefix = input_ids.tolist()
                if len(prefix) < prefix_len:
                    return [forced] if forced is not None else [eos]
                machine = machines[todo[batch[batch_id]]]
                st, _ = machine.replay(prefix[prefix_len:])
                if st.done:
                    return [eos]
                ids = [t for t, _, _ in machine.moves(st)]
                return ids or [eos]

            return allowed

        saved_beams = translator.config.beam_size
        # the constrained output is the translation plus its markers: allow exactly that many tokens
        longest = max(
            (
                len(machines[k].seq)
                + sum(len(marker_ids[t][0]) + len(marker_ids[t][1]) for t, _, _ in spans[k])
                + prefix_len
                + 1
                for k in todo
            ),
            default=0,
        )
        seqs = (
            translator.generate_ids(
                [marked_text(source[k], spans[k], pairs) for k in todo],
                src,
                tgt,
                prefix_fn=factory,
                max_new_tokens=longest,
            )
            if todo
            else []
        )
        markers: Counter[str] = Counter()
        placed_spans: dict[int, tuple[list[str], dict[int, tuple[int, int]]]] = {}
        for k, gen in zip(todo, seqs, strict=True):
            machine = machines[k]
            st, found = machine.replay(gen[prefix_len:])
            if not st.done or st.pos < len(machine.seq):
                markers["unfinished"] += 1
            placed_spans[k] = self._segments(tok, machine.seq, found, spans[k])
            markers["complete"] += len(placed_spans[k][1])
            markers["lost"] += len(spans[k]) - len(placed_spans[k][1])
        tally = ProjectionTally(source, spans, method="constrained", keep_partial=cfg.keep_partial)
        for k, reason in status.items():
            tally.drop(k, reason)
        for k in range(len(source)):
            if k in status:
                continue
            if not spans[k]:
                tokens, placed = tokens_of_segments([(translations[k], None)])[0], {}
            else:
                tokens, placed = placed_spans[k]
            tally.offer(k, tokens, placed)
        seconds = time.perf_counter() - t0
        self.stats_ = tally.stats(
            markers={k: markers.get(k, 0) for k in ("complete", "lost", "unfinished")},
            marker_pairs={t: list(p) for t, p in pairs.items()},
            translator=plain_stats,
            constrained_sentences=len(todo),
            beam_size=saved_beams,
            seconds=round(seconds, 4),
        )
        return tally.kept

    @classmethod
    def _spellable(cls, tok: Any) -> Any:
        """A filter of marker pairs the decoder can tell apart: no unknown-token pieces, and no id
        sequence equal to or a prefix of another accepted marker's (checked in the order asked)."""
        seen: list[tuple[int, ...]] = []
        unk = tok.unk_token_id

        def usable(pair: tuple[str, str]) -> bool:
            try:
                ids = [cls._ids(tok, m) for m in pair]
            except ConfigError:
                return False
            for seq in ids:
                if unk is not None and unk in seq:
                    return False
                if any(seq[: len(o)] == o or o[: len(seq)] == seq for o in seen):
                    return False
            if ids[0][: len(ids[1])] == ids[1] or ids[1][: len(ids[0])] == ids[0]:
                return False
            seen.extend(ids)
            return True

        return usable

    @staticmethod
    def _ids(tok: Any, marker: str) -> tuple[int, ...]:
        """Token ids of a marker string (a leading bare word-boundary piece dropped)."""
        ids = list(tok(marker, add_special_tokens=False)["input_ids"])
        while len(ids) > 1 and not tok.decode(ids[:1]).strip():
            ids = ids[1:]
        if not ids:
            raise ConfigError(f"the marker {marker!r} is empty for this model's tokenizer")
        return tuple(ids)

    def _boundaries(self, tok: Any, seq: list[int]) -> list[bool]:
        """Whether a marker may go before token ``p`` of ``seq`` (``p == len(seq)``: the end)."""
        n = len(seq)
        if not self.config.word_boundaries:
            return [True] * (n + 1)
        pieces = [tok.decode([t]) for t in seq]
        out = [True] * (n + 1)
        for p in range(1, n):
            pair = tok.decode(seq[p - 1 : p + 1])
            out[p] = (
                any(c.isspace() for c in pair.strip())
                or is_punct(pieces[p].strip())
                or is_punct(pieces[p - 1].strip())
            )
        return out

    @staticmethod
    def _segments(
        tok: Any, seq: list[int], found: list[tuple[str, int, int]], src_spans: Sequence[tuple[str, int, int]]
    ) -> tuple[list[str], dict[int, tuple[int, int]]]:
        """Target tokens (the translation, span edges kept) and source span -> token range; the
        j-th placed span of a type goes to the j-th source span of that type."""
        order: dict[str, list[int]] = {}
        for j, (typ, _, _) in enumerate(src_spans):
            order.setdefault(typ, []).append(j)
        segments: list[tuple[str, int | None]] = []
        cursor = 0
        for typ, a, b in sorted(found, key=lambda x: x[1]):
            if not order.get(typ):
                continue
            j = order[typ].pop(0)
            if a > cursor:
                segments.append((tok.decode(seq[cursor:a], skip_special_tokens=True), None))
            segments.append((tok.decode(seq[a:b], skip_special_tokens=True), j))
            cursor = b
        if cursor < len(seq):
            segments.append((tok.decode(seq[cursor:], skip_special_tokens=True), None))
        return tokens_of_segments(segments)
