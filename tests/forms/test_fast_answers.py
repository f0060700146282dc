"""The fast answer reader gives exactly what the WTForms form would give.

``answers_from_formdata`` replaces binding ``build_form(...)`` to the request and
calling ``raw_answers`` on a submission; every comparison here runs the real
WTForms path next to it, so any drift in either shows up as a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from surveyapp import create_app
from surveyapp.config import PACKAGE_DIR
from surveyapp.definitions import NA_VALUE, Item, Questionnaire, load_questionnaire
from surveyapp.forms.builder import (
    AgencyChoice,
    answers_from_formdata,
    build_form,
    raw_answers,
)
from surveyapp.forms.questions import FIELD_TYPES, field_name
from tests.conftest import TEST_SECRET_KEY
from tests.public.conftest import VALID

SIPAS = load_questionnaire(PACKAGE_DIR.parent / "questionnaires" / "sipas.yaml")
EVERY_TYPE = load_questionnaire(Path(__file__).parents[1] / "public" / "data" / "every-type.yaml")
DEFINITIONS = {"sipas": SIPAS, "every-type": EVERY_TYPE}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A bare app for FlaskForm and gettext; these tests never touch the database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fast-answers') / 'unused.sqlite'}"
    yield create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "DATABASE_URL": url})


def wtforms_answers(
    definition: Questionnaire, formdata: MultiDict[str, str], lang: str = "vi"
) -> dict[str, object]:
    """The reference: bind the whole WTForms form and read it back."""
    return raw_answers(build_form(definition, lang)(formdata=formdata), definition)


def assert_same(fast: dict[str, object], slow: dict[str, object]) -> None:
    """Equal values of equal types (None and "" and [] must not be confused)."""
    assert fast == slow
    assert list(fast) == list(slow)
    assert {k: type(v) for k, v in fast.items()} == {k: type(v) for k, v in slow.items()}


def valid_values(item: Item) -> list[str]:
    """The values the rendered control of ``item`` can send."""
    if item.type == "rating":
        return [str(v) for v in range(11)]
    values = [str(s.value) for s in item.scale.steps] if item.scale else []
    if item.allow_na:
        values.append(NA_VALUE)
    return values + [o.key for o in item.options]


JUNK = st.sampled_from(
    ["", " ", "na", "NA", "0", "11", "-1", "4.0", " 4", "yes", "2024-02-30", "\x00", "null"]
)


def value_for(item: Item) -> st.SearchStrategy[str]:
    choices = valid_values(item)
    text = st.one_of(st.just(""), st.text(max_size=12), JUNK)
    return st.one_of(st.sampled_from(choices), text) if choices else text


@st.composite
def formdata_for(draw: st.DrawFn, definition: Questionnaire) -> MultiDict[str, str]:
    """Form data as a browser or a hostile client could post it, in any order."""
    items = list(definition.items())
    chosen = draw(st.lists(st.sampled_from(items), unique_by=lambda i: i.key))
    pairs: list[tuple[str, str]] = []
    for item in chosen:
        count = draw(st.integers(min_value=0, max_value=3))
        pairs.extend((item.key, draw(value_for(item))) for _ in range(count))
    # Names that are no answers: form fields, attribute names, near misses, noise.
    others = st.one_of(
        st.sampled_from(["_token", "_website", "_agency", "_dossier", "csrf_token"]),
        st.sampled_from([field_name(i) for i in items] + [i.key.upper() for i in items]),
        st.text(max_size=8),
    )
    pairs.extend(draw(st.lists(st.tuples(others, st.text(max_size=8)), max_size=4)))
    return MultiDict(draw(st.permutations(pairs)))


def test_every_question_type_is_covered() -> None:
    assert {i.type for i in EVERY_TYPE.items()} == set(FIELD_TYPES)


@pytest.mark.parametrize("name", list(DEFINITIONS))
@settings(max_examples=150, deadline=None)
@given(data=st.data(), lang=st.sampled_from(["vi", "en"]))
def test_fast_answers_equal_the_wtforms_form(
    app: Flask, name: str, data: st.DataObject, lang: str
) -> None:
    definition = DEFINITIONS[name]
    formdata = data.draw(formdata_for(definition))
    with app.test_request_context("/", method="POST"):
        slow = wtforms_answers(definition, formdata, lang)
    assert_same(answers_from_formdata(definition, formdata), slow)


#: VALID (every-type.yaml's complete answers) as the form data pairs a browser sends.
SENT: list[tuple[str, str]] = [
    (key, value)
    for key, sent in VALID.items()
    for value in (sent if isinstance(sent, list) else [sent])
]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        pytest.param(
            SENT,
            VALID,
            id="complete",
        ),
        # Nothing sent: one-answer questions are None (not ""), checkboxes [].
        pytest.param([], {"occupation": None, "channels": []}, id="empty"),
        # Sent empty: text boxes give "", radios keep "" too (coerce=str).
        pytest.param(
            [(i.key, "") for i in EVERY_TYPE.items()],
            {i.key: [""] if i.type == "multiple_choice" else "" for i in EVERY_TYPE.items()},
            id="all-empty-strings",
        ),
        # Several values for a one-answer question come back as the list sent.
        pytest.param(
            [("visited", "yes"), ("visited", "no"), ("comment", "a"), ("comment", "")],
            {"visited": ["yes", "no"], "comment": ["a", ""]},
            id="repeated",
        ),
    ],
)
def test_every_type_examples(
    app: Flask, pairs: list[tuple[str, str]], expected: dict[str, object]
) -> None:
    formdata = MultiDict(pairs)
    full = {i.key: None for i in EVERY_TYPE.items()} | {"channels": []} | expected
    fast = answers_from_formdata(EVERY_TYPE, formdata)
    with app.test_request_context("/", method="POST"):
        assert_same(fast, wtforms_answers(EVERY_TYPE, formdata))
    assert_same(fast, full)


def test_reads_a_posted_request_form(app: Flask) -> None:
    """The real ``request.form`` (an ImmutableMultiDict) as the submit view gets it."""
    body = [*SENT, ("_token", "t"), ("_website", ""), ("visits", "3")]
    with app.test_request_context("/q/every-type", method="POST", data=MultiDict(body)):
        sent = request.form
        assert_same(answers_from_formdata(EVERY_TYPE, sent), wtforms_answers(EVERY_TYPE, sent))
        assert answers_from_formdata(EVERY_TYPE, sent)["visits"] == ["2", "3"]


@pytest.mark.parametrize("item", list(EVERY_TYPE.items()), ids=lambda i: i.type)
@pytest.mark.parametrize(
    "values", [[], [""], ["x"], ["1"], ["na"], ["web", "desk"], ["", "", ""]], ids=repr
)
def test_raw_from_equals_raw_of_the_bound_field(app: Flask, item: Item, values: list[str]) -> None:
    formdata = MultiDict([(item.key, v) for v in values])
    with app.test_request_context("/", method="POST"):
        bound = getattr(build_form(EVERY_TYPE, "vi")(formdata=formdata), field_name(item))
        slow = FIELD_TYPES[item.type].raw(bound)
    fast = FIELD_TYPES[item.type].raw_from(formdata.getlist(item.key))
    assert fast == slow
    assert type(fast) is type(slow)


AGENCIES = [
    AgencyChoice("Q1", "Quận 1", "district"),
    AgencyChoice("SNV", "Sở Nội vụ", "department"),
]


@pytest.mark.parametrize("agencies", [None, AGENCIES], ids=["fixed-agency", "portal"])
@pytest.mark.parametrize("dossier", [False, True], ids=["no-dossier", "dossier"])
def test_form_without_questions(
    app: Flask, agencies: list[AgencyChoice] | None, dossier: bool
) -> None:
    expected = {"token": "_token", "homepage": "_website"}
    if agencies is not None:
        expected["agency"] = "_agency"
    if dossier:
        expected["dossier"] = "_dossier"
    with app.test_request_context("/"):
        bare = build_form(EVERY_TYPE, "vi", agencies=agencies, dossier=dossier, questions=False)
        form = bare(formdata=None, data={"token": "t"})
        assert {n: f.name for n, f in form._fields.items()} == expected
        assert form.token.data == "t"
        if agencies is not None:
            assert [c.value for c in form.agency.iter_choices()] == ["", "SNV", "Q1"]
        for item in EVERY_TYPE.items():
            assert not hasattr(bare, field_name(item))
        full = build_form(EVERY_TYPE, "vi", agencies=agencies, dossier=dossier)(formdata=None)
        questions = {field_name(i) for i in EVERY_TYPE.items()}
        assert set(full._fields) == set(expected) | questions
