"""Recipe method ``projection``: annotation projection through a parallel corpus.

Per source: train (or load) a source tagger, tag the source side of the parallel text, align,
project; then vote across sources (Agić et al. 2016), apply type constraints (Täckström et al.
2013), filter by coverage, train the target tagger on the (partially labelled) projected data
(:mod:`xlt.pipeline.projection_steps`). With ``zero_shot_model`` an encoder trained on the
source labels (and ``zero_shot_sources``) tags the target side and votes too, unless it cannot
spell the target text (``projection.encoder_max_unknown``).
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

from xlt.errors import ConfigError, MismatchError, MissingDependencyError, UnknownNameError
from xlt.evaluation.scoring import task_scores
from xlt.evaluation.tasks import task_metric
from xlt.io.parallel import VerseJoin, read_bible_pair
from xlt.languages.codes import language_key
from xlt.logs import get_logger
from xlt.models.base import load_task_model
from xlt.pipeline import data as D
from xlt.pipeline.context import RunContext, build_method
from xlt.pipeline.projection_steps import (
    combine,
    encoder_coverage,
    interpolate_target,
    project_source,
    source_tagger,
    tag_target,
    tag_with_confidence,
    target_sentences,
    target_spec,
    train_target,
)
from xlt.pipeline.resources import conllu_tokenization, resource_report, source_agreement
from xlt.pipeline.self_training import self_train
from xlt.projection.constraints import MostFrequentTagBaseline
from xlt.types import LabeledSentence

log = get_logger("pipeline")


# -- before any step ----------------------------------------------------------------------------
def resolve(p: RunContext) -> None:
    """Pick the projecting sources (``projection.source_top_k``), then resolve ``zero_shot_sources``."""
    select_sources(p)
    resolve_zero_shot_sources(p)


def source_ranker(name: str) -> Any:
    """``projection.source_ranker``: a saved ranker directory, or a registered one built with its
    default config (an untrained learned ranker fails in :func:`select_sources`)."""
    from xlt.ranking import load_ranker, rankers

    if Path(name).expanduser().is_dir():
        return load_ranker(Path(name).expanduser())
    return build_method(rankers, name, {}, "projection.source_ranker")


def select_sources(p: RunContext) -> None:
    """Keep the ``source_top_k`` sources the ranker rates closest to the target (Lin et al. 2019:
    choosing transfer languages), plus every ``source_keep`` language, in recipe order; the others
    are dropped before any step, and ``metrics.json`` records the scores (``source_selection``).
    Among the candidates, a source in the target's own language is left out: its data would be
    target data (so one source list serves every target)."""
    r = p.recipe
    k = r.projection.source_top_k
    if k is None:
        return
    from xlt.errors import XltError
    from xlt.languages import resolve as resolve_language

    target = language_key(r.target.language)
    pinned = {language_key(x) for x in r.projection.source_keep}
    unknown = pinned - {language_key(s.spec.language) for s in p.sources}
    if unknown:
        raise ConfigError(
            f"projection.source_keep: {', '.join(sorted(unknown))} is not a listed source",
            hint="name the language of a source under `sources:`",
        )
    own = [i for i, s in enumerate(p.sources) if language_key(s.spec.language) == target]
    candidates = [
        i for i, s in enumerate(p.sources) if i not in own and language_key(s.spec.language) not in pinned
    ]
    name = r.projection.source_ranker
    scores: dict[str, float | None] = {}
    keep = {i for i, s in enumerate(p.sources) if language_key(s.spec.language) in pinned}
    if len(candidates) > k:
        ranker = source_ranker(name)
        langs = {i: resolve_language(p.sources[i].spec.language) for i in candidates}
        try:
            scored = ranker.rank(resolve_language(r.target.language), list(langs.values()))
        except XltError as err:
            raise ConfigError(
                f"projection.source_ranker: {name!r} cannot rank ({err.message})",
                hint="give a directory from `xlt rank fit`, or a ranker that needs no training "
                "(syntactic, genetic, geographic, ...)",
            ) from None
        score_of = {str(s.language.code): float(s.score) for s in scored}
        scores = {p.sources[i].spec.language: score_of.get(str(lang.code)) for i, lang in langs.items()}
        order = sorted(candidates, key=lambda i: -score_of.get(str(langs[i].code), float("-inf")))
        keep.update(order[:k])
    else:
        keep.update(candidates)
    if len(keep) == len(p.sources):
        return
    if not keep:
        raise ConfigError(f"sources: every listed source is in the target language {r.target.language!r}")
    dropped = [s for i, s in enumerate(p.sources) if i not in keep]
    own_names = [p.sources[i].spec.language for i in own]
    for src in dropped:
        for part in ("train", "dev", "tagger", "parallel"):
            p.paths.pop(f"{src.key}.{part}", None)
    p.sources = [s for i, s in enumerate(p.sources) if i in keep]
    p.source_selection = {
        "ranker": name,
        "top_k": k,
        "scores": scores,
        "kept": [s.spec.language for s in p.sources],
        "pinned": [s.spec.language for s in p.sources if language_key(s.spec.language) in pinned],
        "left_out": [s.spec.language for s in dropped],
        "left_out_target_language": own_names,
    }
    p.say(
        f"sources chosen by {name}: {', '.join(p.source_selection['kept'])} "
        f"(left out: {', '.join(p.source_selection['left_out'])})"
    )


def resolve_zero_shot_sources(p: RunContext) -> None:
    """Resolve ``zero_shot_sources``; an entry in the target's language never trains a model
    that is scored on that language (its data would be target data)."""
    r = p.recipe
    target = language_key(r.target.language)
    for i, spec in enumerate(r.zero_shot_sources):
        key = f"zero_shot_sources.{i}"
        if language_key(spec.language) == target:
            log.warning(
                "%s (%s) is the target language: left out of the zero-shot model's training data",
                key,
                spec.language,
            )
            p.zero_shot_skipped.append(spec.language)
            continue
        p.ref(f"{key}.train", spec.train)
        p.ref(f"{key}.dev", spec.dev)
        p.zero_shot_extra.append((key, spec))


def prepare(p: RunContext) -> None:
    """Check the aligner, projector and voting options and join every source's verses with the
    target's (the pairs each source projects through)."""
    from xlt.alignment import aligners
    from xlt.projection import projectors

    r = p.recipe
    build_method(aligners, r.align.method, r.align.options, "align")
    if r.align.method == "eflomal" and find_spec("eflomal") is None:
        raise MissingDependencyError("eflomal", extra="align", purpose="align.method: eflomal")
    build_method(projectors, p.projector_name(), r.projection.options, "projection")
    try:
        p.weights = vote_weights(p)
    except (UnknownNameError, ConfigError) as err:
        raise ConfigError(f"projection.voting: {r.projection.voting}: {err.message}", hint=err.hint) from None
    tgt = p.paths["target.parallel"]
    assert tgt is not None
    target_tokenizer = token_matcher(p)
    for src in p.sources:
        assert src.parallel is not None
        p.say(f"joining {src.parallel.name} with {tgt.name} by verse id")
        try:
            pairs, join = read_bible_pair(src.parallel, tgt, target_tokenizer=target_tokenizer)
        except MismatchError as err:
            raise ConfigError(
                f"{src.key}.parallel / target.parallel: {src.parallel} and {tgt}: {err.message}"
            ) from None
        n_joined = len(pairs)
        pairs = [x for x in pairs if len(x.src) and len(x.tgt)]
        n_no_tokens = n_joined - len(pairs)
        if not pairs:
            raise ConfigError(
                f"{src.key}.parallel / target.parallel: {src.parallel} and {tgt} share no verse ids "
                "with text on both sides; nothing to project",
            )
        n_over_max = 0
        if r.projection.max_sentences is not None:
            n_over_max = max(len(pairs) - r.projection.max_sentences, 0)
            pairs = pairs[: r.projection.max_sentences]
        src.pairs = pairs
        summary = join_summary(join, len(pairs), n_no_tokens, n_over_max)
        p.summaries[f"join-{src.name}"] = summary
        p.say(
            f"verse join {src.spec.language}-{r.target.language}: {len(pairs)} pairs kept; dropped "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in summary["dropped_by_reason"].items() if n)
            if summary["dropped"]
            else f"verse join {src.spec.language}-{r.target.language}: {len(pairs)} pairs, none dropped"
        )
    if target_tokenizer is not None:
        p.say(
            f"tokenization matched to {', '.join(p.summaries['match-tokenization']['learned_from_names'])}: "
            f"{target_tokenizer.changed} of {target_tokenizer.tokens} target tokens differ from the "
            "standard tokenizer's"
        )
        p.summaries["match-tokenization"].update(
            target_tokens=target_tokenizer.tokens, target_tokens_changed=target_tokenizer.changed
        )
    split_multiwords(p)


def _treebank_files(p: RunContext, key: str, value: str, what: str) -> list[Path]:
    """The CoNLL-U files an option learns from: ``target`` (the target's dev/test files that are
    CoNLL-U) or one CoNLL-U file or catalog id."""
    from xlt.io.conllu import is_conllu

    if value == "target":
        files = [f for f in (p.paths.get("target.dev"), p.paths.get("target.test")) if f is not None]
        return [f for f in files if is_conllu(f)]
    path = p.ref(key, value)
    assert path is not None
    if not is_conllu(path):
        raise ConfigError(
            f"{key}: {path} is not a CoNLL-U file",
            hint=f"give a UD treebank file (its {what} teach the rules), or `target`",
        )
    return [path]


class _MatchedTokenizer:
    """The target-side tokenizer of ``projection.match_tokenization``: memoized per text, with
    counts of tokens read and tokens that differ from the standard tokenizer's."""

    def __init__(self, matcher: Any) -> None:
        self.matcher = matcher
        self.memo: dict[str, list[str]] = {}
        self.tokens = self.changed = 0

    def __call__(self, text: str) -> list[str]:
        if text not in self.memo:
            counted = self.matcher.tokenize_counted(text)
            self.tokens += len(counted)
            self.changed += sum(changed for changed, _ in counted)
            self.memo[text] = [t for _, t in counted]
        return self.memo[text]


def token_matcher(p: RunContext) -> _MatchedTokenizer | None:
    """``projection.match_tokenization``: the target-side tokenizer matched to the treebank's
    apostrophes and hyphens (:mod:`xlt.projection.tokenization`); its rules' fingerprint joins
    every target-text step's (none when it learned no rule)."""
    from xlt.io.conllu import iter_conllu
    from xlt.projection.tokenization import learn_token_matcher

    value = p.recipe.projection.match_tokenization
    if value is None:
        return None
    files = _treebank_files(p, "projection.match_tokenization", value, "surface tokens")
    matcher = learn_token_matcher(s for f in files for s in iter_conllu(f))
    p.summaries["match-tokenization"] = {
        "learned_from": [str(f) for f in files],
        "learned_from_names": [f.name for f in files] or ["no file"],
        **matcher.to_dict(),
    }
    if not matcher:
        return None
    p.target_tokens = matcher.fingerprint()
    return _MatchedTokenizer(matcher)


def split_multiwords(p: RunContext) -> None:
    """``projection.multiword_split``: split the target side of every verse pair the way the
    treebank splits multiword tokens (:mod:`xlt.projection.multiword`); the splitter's
    fingerprint joins every target-text step's, and ``metrics.json`` records what it did."""
    from dataclasses import replace

    from xlt.io.conllu import iter_conllu
    from xlt.projection.multiword import learn_multiword_splitter

    value = p.recipe.projection.multiword_split
    if value is None:
        return
    files = _treebank_files(p, "projection.multiword_split", value, "multiword-token lines")
    splitter = learn_multiword_splitter(s for f in files for s in iter_conllu(f))
    seen: set[Any] = set()
    n_tokens = n_split = 0
    for src in p.sources:
        pairs = []
        for pair in src.pairs:
            tokens, k = splitter.split(pair.tgt)
            if pair.id not in seen:
                seen.add(pair.id)
                n_tokens += len(pair.tgt)
                n_split += k
            pairs.append(replace(pair, tgt=tokens) if k else pair)
        src.pairs = pairs
    if splitter.lexicon or splitter.segments:  # a splitter that splits nothing keeps the steps' fingerprints
        p.target_split = splitter.fingerprint()
    p.summaries["multiword-split"] = {
        "learned_from": [str(f) for f in files],
        **splitter.to_dict(),
        "target_tokens": n_tokens,
        "target_tokens_split": n_split,
    }
    p.say(
        f"multiword tokens: {n_split} of {n_tokens} target tokens split "
        f"({len(splitter.lexicon)} forms learned from {', '.join(f.name for f in files) or 'no file'})"
    )


def vote_weights(p: RunContext) -> list[float]:
    """One voting weight per source (``projection.voting``: weights, rank or equal)."""
    r = p.recipe
    if r.projection.voting == "weights":
        return [s.spec.weight if s.spec.weight is not None else 1.0 for s in p.sources]
    if r.projection.voting == "rank":
        from xlt.projection.multisource import rank_weights

        return rank_weights(r.target.language, [s.spec.language for s in p.sources], task=r.task)
    return [1.0] * len(p.sources)


def join_summary(join: VerseJoin, n_pairs: int, n_no_tokens: int = 0, n_over_max: int = 0) -> dict[str, Any]:
    """What the verse join of one source kept and dropped, by reason (also in projection_stats.json)."""
    out = join.to_dict()
    reasons = dict(out["dropped_by_reason"])  # type: ignore[call-overload]
    reasons["no_tokens"] = n_no_tokens
    reasons["over_max_sentences"] = n_over_max
    return {
        **out,
        "pairs": n_pairs,
        "dropped": sum(reasons.values()),
        "dropped_by_reason": reasons,
        "n_only_src": join.n_only_src,
        "n_only_tgt": join.n_only_tgt,
        "n_empty": join.n_empty,
    }


# -- the run ------------------------------------------------------------------------------------
def run(p: RunContext) -> tuple[Path, dict[str, Any]]:
    """Project from every source, combine, train the target tagger; its dir and metrics extras."""
    r = p.recipe
    per_source: list[list[LabeledSentence]] = []
    source_scores: dict[str, Any] = {}
    for src in p.sources:
        tagger_dir = source_tagger(p, src)
        if src.dev is not None:
            upstream = (f"train-source-{src.name}",) if src.tagger is None else ()
            source_scores[src.spec.language] = {"dev": p.evaluate_on(tagger_dir, f"{src.key}.dev", upstream)}
        per_source.append(project_source(p, src, tagger_dir))
    zero_shot_dir: Path | None = None
    zero_shot: list[LabeledSentence] | None = None
    coverage = encoder_coverage(p)
    readable = coverage is None or coverage["unknown_word_share"] <= r.projection.encoder_max_unknown
    if not readable:
        log.warning(
            "%.0f%% of the target words contain the encoder's unknown token (limit %.0f%%, "
            "projection.encoder_max_unknown): the encoder cannot read %s; projecting without it, "
            "with a CRF target tagger",
            100 * coverage["unknown_word_share"],
            100 * r.projection.encoder_max_unknown,
            r.target.language,
        )
    if r.zero_shot_model is not None and readable:
        zero_shot_dir = _train_zero_shot(p)
        zero_shot = tag_target(p, zero_shot_dir)
    combined_dir, combine_summary = combine(p, per_source, zero_shot)
    init = zero_shot_dir if r.target_init == "zero-shot" else None
    fallback = None if readable else "crf"
    model_dir = train_target(p, combined_dir, init, fallback=fallback)
    extra: dict[str, Any] = {"projection": combine_summary, "sources": source_scores}
    if r.projection.zero_shot_interpolation > 0 and init is not None and fallback is None:
        model_dir = interpolate_target(p, model_dir, init)
        extra["zero_shot_interpolation"] = p.summaries["merge-zero-shot"]
    if r.projection.self_training_rounds:
        model_dir, extra["self_training"] = self_train(
            p,
            model_dir,
            target_sentences(p),
            target_spec(p, None if fallback else init, fallback),
            tag=lambda m, sents: tag_with_confidence(load_task_model(m), sents),
            upstream=("train-zero-shot",) if init is not None and fallback is None else (),
        )
    if p.source_selection is not None:
        extra["source_selection"] = p.source_selection
    if "multiword-split" in p.summaries:
        extra["multiword_split"] = p.summaries["multiword-split"]
    if "match-tokenization" in p.summaries:
        extra["match_tokenization"] = {
            k: v for k, v in p.summaries["match-tokenization"].items() if k != "learned_from_names"
        }
    if r.zero_shot_sources:
        extra["zero_shot_sources"] = {
            "used": [spec.language for _, spec in p.zero_shot_extra] if readable else [],
            "left_out_target_language": p.zero_shot_skipped,
            "n_train": (p.summaries.get("train-zero-shot") or {}).get("n_train"),
        }
    if coverage is not None:
        extra["encoder_coverage"] = {**coverage, "used": readable}
    extra["projection"]["per_source"] = {
        s.spec.language: {
            **p.summaries.get(f"join-{s.name}", {}),
            **p.summaries.get(f"project-{s.name}", {}),
        }
        for s in p.sources
    }
    _add_baselines(p, extra, combined_dir, zero_shot_dir)
    names = [s.spec.language for s in p.sources]
    extra["resources"] = resource_report(
        extra,
        source_names=names,
        source_agreements=source_agreement(per_source, names),
        train_tokens=[t for s in D.read_sentences(combined_dir / "train.jsonl") for t in s.tokens],
        tokenization=conllu_tokenization(p.paths.get("target.test")),
    )
    return model_dir, extra


def _train_zero_shot(p: RunContext) -> Path:
    """Step ``train-zero-shot`` (shared): the zero-shot model on every source's (and every
    ``zero_shot_sources`` entry's) training data, each capped by its own ``max_train``."""
    limits = {f"{s.key}.train": s.spec.max_train for s in p.sources}
    limits.update({f"{k}.train": spec.max_train for k, spec in p.zero_shot_extra})
    assert p.recipe.zero_shot_model is not None
    return p.train_model(
        "train-zero-shot",
        p.recipe.zero_shot_model,
        list(limits),
        limits,
        dev_keys=[f"{s.key}.dev" for s in p.sources] + [f"{k}.dev" for k, _ in p.zero_shot_extra],
        shared=True,
    )


def _add_baselines(
    p: RunContext, extra: dict[str, Any], combined_dir: Path, zero_shot_dir: Path | None
) -> None:
    """metrics.json ``baselines``: the most frequent projected tag (pos) and the zero-shot model."""
    r = p.recipe
    if r.task == "pos" and p.paths.get("target.test") is not None:
        projected = D.read_sentences(combined_dir / "projected.jsonl")
        test = p.read("target.test")
        mft = MostFrequentTagBaseline().fit(projected).predict(test)
        extra["baselines"] = {
            "most_frequent_projected_tag": task_scores("pos", D.gold_of(test), mft)["accuracy"]
        }
    if zero_shot_dir is not None and p.paths.get("target.test") is not None:
        primary = task_metric(r.task).primary
        scores = p.evaluate_on(zero_shot_dir, "target.test", ("train-zero-shot",))
        extra.setdefault("baselines", {})["zero_shot"] = scores.get(primary)
