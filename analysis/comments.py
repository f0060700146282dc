"""Topics of Vietnamese free-text comments: the SIPAS criteria and problem flags.

A lexicon (data, edited by the city: ``surveyapp/data/comment_lexicon.yaml``) maps
terms to topics. A comment is split into words by a Vietnamese word segmenter
(underthesea's ``word_tokenize`` by default: Vietnamese writes a space between every
syllable, so "cán bộ" is one word of two syllables); a term matches where its
syllables start and end on word boundaries, so "trễ" does not match inside "trễ hẹn"
unless the lexicon lists it there too. A *flag* (harassment, informal payment...) is
not raised when a negation stands in the few words before it within the same clause
("không hề bị nhũng nhiễu"); a *criterion* counts a mention either way.
Comments typed without diacritics ("nhung nhieu") are matched against the terms with
their diacritics removed, by syllables only, since segmenters split such text poorly.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

KINDS = ("criterion", "flag")
#: Words before a flag that a negation may stand in (within one clause).
NEGATION_WINDOW = 3
#: Words joining two flags under one negation ("không nhũng nhiễu hay gây phiền hà"):
#: they do not count towards the window.
CONJUNCTIONS = frozenset({("hay",), ("hoặc",), ("và",), ("cũng",), ("lẫn",), ("hay", "là")})
#: Example comments kept per topic.
EXAMPLES = 3

Segmenter = Callable[[str], Sequence[str]]


class LexiconError(ValueError):
    """A lexicon that cannot be used; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    kind: str
    label_vi: str
    label_en: str
    #: Each term as its lower-case syllables.
    terms: tuple[tuple[str, ...], ...]

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_vi


@dataclass(frozen=True)
class Lexicon:
    version: str
    topics: tuple[Topic, ...]
    negations: frozenset[tuple[str, ...]]
    #: Changes whenever anything in the lexicon does (cache keys).
    fingerprint: str
    _first: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]] = field(repr=False)
    _first_plain: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]] = field(repr=False)

    def topic(self, key: str) -> Topic:
        return next(t for t in self.topics if t.key == key)


def strip_marks(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics ("nhũng nhiễu" -> "nhung nhieu")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _syllables(text: str) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", text).lower().replace("_", " ").split())


def parse_lexicon(data: Any, source: str = "lexicon") -> Lexicon:
    """Check and index a lexicon read from YAML; errors name ``source`` and the field."""
    if not isinstance(data, Mapping):
        raise LexiconError(f"{source}: must be a mapping with 'version' and 'topics'")
    version = data.get("version")
    if version is None or not str(version).strip():
        raise LexiconError(f"{source}: 'version' is required")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, Mapping) or not raw_topics:
        raise LexiconError(f"{source}: 'topics' must map topic keys to their definitions")
    topics: list[Topic] = []
    for key, spec in raw_topics.items():
        where = f"{source}: topics.{key}"
        if not isinstance(spec, Mapping):
            raise LexiconError(f"{where}: must be a mapping with kind, label and terms")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise LexiconError(f"{where}.kind: must be one of {', '.join(KINDS)}")
        label = spec.get("label")
        if not isinstance(label, Mapping) or not all(
            isinstance(label.get(lang), str) and label[lang].strip() for lang in ("vi", "en")
        ):
            raise LexiconError(f"{where}.label: needs a 'vi' and an 'en' text")
        terms = spec.get("terms")
        if not isinstance(terms, list) or not terms:
            raise LexiconError(f"{where}.terms: must be a non-empty list")
        parsed = []
        for number, term in enumerate(terms, start=1):
            if not isinstance(term, str) or not _syllables(term):
                raise LexiconError(f"{where}.terms[{number}]: must be a non-empty text")
            parsed.append(_syllables(term))
        topics.append(Topic(str(key), kind, label["vi"], label["en"], tuple(parsed)))
    negations = data.get("negations", [])
    if not isinstance(negations, list) or not all(isinstance(n, str) for n in negations):
        raise LexiconError(f"{source}: 'negations' must be a list of texts")
    first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    plain: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for topic in topics:
        for term in topic.terms:
            first.setdefault(term[0], []).append((term, topic.key))
            bare = tuple(strip_marks(s) for s in term)
            plain.setdefault(bare[0], []).append((bare, topic.key))
    canonical = json.dumps(
        {
            "version": str(version),
            "negations": sorted(negations),
            "topics": [[t.key, t.kind, t.label_vi, t.label_en, t.terms] for t in topics],
        },
        ensure_ascii=False,
    )
    return Lexicon(
        version=str(version),
        topics=tuple(topics),
        negations=frozenset(_syllables(n) for n in negations if _syllables(n)),
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest(),
        _first={k: tuple(v) for k, v in first.items()},
        _first_plain={k: tuple(v) for k, v in plain.items()},
    )


def load_lexicon(path: str | Path) -> Lexicon:
    """Read a lexicon file; a missing or malformed file raises :class:`LexiconError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except OSError as exc:
        raise LexiconError(f"{path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise LexiconError(f"{path}{line}: not valid YAML") from exc
    return parse_lexicon(data, str(path))


def underthesea_segmenter() -> Segmenter:
    """Return underthesea's word segmentation (a CRF model shipped in the package)."""
    from underthesea import word_tokenize  # type: ignore[import-untyped]  # loads a model

    return word_tokenize  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class _Words:
    syllables: tuple[str, ...]
    starts: frozenset[int]
    ends: frozenset[int]
    #: Index of the word each syllable belongs to, and the words themselves.
    word_of: tuple[int, ...]
    words: tuple[tuple[str, ...], ...]


def _split(tokens: Iterable[str]) -> _Words:
    syllables: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    word_of: list[int] = []
    words: list[tuple[str, ...]] = []
    for token in tokens:
        parts = _syllables(token)
        if not parts:
            continue
        starts.add(len(syllables))
        syllables.extend(parts)
        word_of.extend([len(words)] * len(parts))
        words.append(parts)
        ends.add(len(syllables))
    return _Words(
        tuple(syllables), frozenset(starts), frozenset(ends), tuple(word_of), tuple(words)
    )


def _is_clause_break(word: tuple[str, ...]) -> bool:
    return len(word) == 1 and not any(c.isalnum() for c in word[0])


def _negated(words: _Words, lexicon: Lexicon, first_word: int) -> bool:
    seen = 0
    index = first_word - 1
    while index >= 0 and seen < NEGATION_WINDOW:
        word = words.words[index]
        if _is_clause_break(word):
            return False
        # A negation may be one word ("không") or two ("không hề", "không có").
        if word in lexicon.negations:
            return True
        if index > 0 and words.words[index - 1] + word in lexicon.negations:
            return True
        if word not in CONJUNCTIONS:
            seen += 1
        index -= 1
    return False


def topics_of(text: str, lexicon: Lexicon, segment: Segmenter) -> frozenset[str]:
    """Return the keys of the topics one comment mentions."""
    normalised = unicodedata.normalize("NFC", text)
    if not normalised.strip():
        return frozenset()
    plain = normalised.isascii()
    words = _split(_tokens(normalised, segment, plain))
    index = lexicon._first_plain if plain else lexicon._first
    kinds = {t.key: t.kind for t in lexicon.topics}
    found: set[str] = set()
    for i, syllable in enumerate(words.syllables):
        if not plain and i not in words.starts:
            continue
        for term, key in index.get(syllable, ()):
            end = i + len(term)
            if words.syllables[i:end] != term or (not plain and end not in words.ends):
                continue
            if kinds[key] == "flag" and _negated(words, lexicon, words.word_of[i]):
                continue
            found.add(key)
    return frozenset(found)


def _tokens(text: str, segment: Segmenter, plain: bool) -> Sequence[str]:
    if plain:
        # Without diacritics a segmenter guesses badly: syllables and punctuation only.
        spaced = "".join(c if c.isalnum() or c.isspace() else f" {c} " for c in text)
        return spaced.split()
    return segment(text)


@dataclass(frozen=True)
class TopicSummary:
    """How many comments mention each topic, with a few examples of each."""

    n_comments: int
    counts: Mapping[str, int]
    #: Up to :data:`EXAMPLES` comments per topic, in the order given (newest first).
    examples: Mapping[str, tuple[str, ...]]

    def share(self, key: str) -> float | None:
        return self.counts.get(key, 0) / self.n_comments if self.n_comments else None


def summarise(
    comments: Iterable[str],
    lexicon: Lexicon,
    find: Callable[[str], frozenset[str]],
    examples: int = EXAMPLES,
    show: Callable[[str], str] = lambda text: text,
) -> TopicSummary:
    """Count the comments that mention each topic.

    ``find`` gives a comment's topics (:func:`topics_of` with a segmenter, or
    :func:`cached_topics`); ``show`` prepares an example's text (e.g. scrubbing it).
    """
    n = 0
    counts = dict.fromkeys((t.key for t in lexicon.topics), 0)
    shown: dict[str, list[str]] = {t.key: [] for t in lexicon.topics}
    for text in comments:
        n += 1
        for key in find(text):
            counts[key] += 1
            if len(shown[key]) < examples:
                shown[key].append(show(text))
    return TopicSummary(n, counts, {k: tuple(v) for k, v in shown.items()})


def cached_topics(
    lexicon: Lexicon, segment: Segmenter, size: int = 200_000
) -> Callable[[str], frozenset[str]]:
    """Return ``topics_of`` for one lexicon, remembering the last ``size`` comments."""

    @lru_cache(maxsize=size)
    def topics(text: str) -> frozenset[str]:
        return topics_of(text, lexicon, segment)

    return topics
