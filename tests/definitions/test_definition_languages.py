"""A questionnaire declares its languages; every text holds each declared one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from surveyapp.definitions import Questionnaire, Text, parse_text

Check = Callable[..., list[str]]
ROOT = Path(__file__).resolve().parents[2] / "questionnaires"


def one_language(lang: str, *, declared: str | None = None, extra: str = "") -> str:
    declared = declared if declared is not None else f"[{lang}]"
    return f"""\
format: 1
languages: {declared}
title: {{{lang}: "Title"}}
sections:
  - key: main
    title: {{{lang}: "Main"}}
    questions:
      - key: q1
        type: single_choice
        text: {{{lang}: "Pick one"{extra}}}
        options:
          - {{key: a, label: {{{lang}: "A"}}}}
          - {{key: b, label: {{{lang}: "B"}}}}
"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_one_language_questionnaire_is_valid_and_falls_back(lang: str) -> None:
    q = parse_text(one_language(lang), "one.yaml")
    assert q.languages == (lang,)
    assert q.default_language == lang
    # Every label reads in either language: the one that exists.
    assert q.title.get("vi") == q.title.get("en") == "Title"
    assert q.item("q1").options[0].label.get("en" if lang == "vi" else "vi") == "A"
    plain = q.to_dict()
    assert plain["languages"] == [lang]
    assert plain["title"] == {lang: "Title"}
    assert Questionnaire.from_dict(plain) == q


@pytest.mark.parametrize(
    ("lang", "other", "column"),
    [("vi", "en", 32), ("en", "vi", 32)],
)
def test_a_text_in_an_undeclared_language_is_an_error(
    check: Check, lang: str, other: str, column: int
) -> None:
    text = one_language(lang, extra=f', {other}: "x"')
    assert check(text) == [
        f"q.yaml:10:{column}: text of question 'q1' has a {other!r} text, but the "
        f"questionnaire's languages are [{lang}]; remove it or declare {other!r} in "
        "'languages'"
    ]


def test_both_declared_languages_are_required(check: Check) -> None:
    text = one_language("en", declared="[vi, en]").replace(
        'title: {en: "Title"}', 'title: {en: "Title", vi: "Tựa"}'
    )
    problems = check(text)
    assert "q.yaml:6:12: title of section 'main' is missing the 'vi' translation" in problems
    assert "q.yaml:10:15: text of question 'q1' is missing the 'vi' translation" in problems
    assert len(problems) == 4  # the section, the question and its two options


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("[fr]", "q.yaml:2:13: unknown language in 'languages' 'fr'; expected one of vi, en"),
        ("[en, en]", "q.yaml:2:17: language 'en' is listed twice in 'languages'"),
        ("[]", "q.yaml:2:12: languages must not be empty"),
        ("en", "q.yaml:2:12: languages must be a list, not a string"),
    ],
)
def test_bad_languages_declarations(check: Check, declared: str, message: str) -> None:
    assert message in check(one_language("en", declared=declared))


def test_default_language_must_be_declared(check: Check) -> None:
    text = one_language("en").replace(
        "languages: [en]\n", "languages: [en]\ndefault_language: vi\n"
    )
    assert check(text) == [
        "q.yaml:3:19: unknown default_language 'vi'; expected one of en",
    ]


@pytest.mark.parametrize("path", sorted(ROOT.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_questionnaires_stay_bilingual_with_an_unchanged_canonical_form(
    path: Path,
) -> None:
    q = parse_text(path.read_text(encoding="utf-8"), path.name)
    assert q.languages == ("vi", "en")
    plain = q.to_dict()
    # A stored version (written before 'languages' existed) reads back unchanged.
    assert "languages" not in plain
    assert Questionnaire.from_dict(plain).content_hash == q.content_hash


def test_bilingual_text_is_unchanged() -> None:
    assert Text(vi="a", en="b").to_dict() == {"vi": "a", "en": "b"}
    assert Text.of({"en": "b"}).to_dict() == {"en": "b"}
    assert Text.of({"en": "b"}).get("vi") == "b"
