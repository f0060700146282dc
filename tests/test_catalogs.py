"""The translation catalogs against the sources, and templates against unmarked text.

Extraction follows ``babel.cfg`` with the keywords its header names (Babel's defaults,
which include ``N_``, plus ``lazy_gettext``, ``_l`` and ``Problem``, the services'
messages), as ``pybabel extract`` does.
Every extracted message must be translated in both catalogs, nothing may be fuzzy or
defined twice, and the compiled ``.mo`` files must match the ``.po`` files.

A template's literal text (outside ``{{ }}``, ``{% %}`` and ``{% trans %}`` blocks)
that a person would read is an error: text nodes and the attributes browsers show or
read aloud (``title``, ``alt``, ``placeholder``, ``aria-label``, a button's ``value``).
Code samples (``<pre>``, ``<code>``, ``<textarea>``, scripts, styles), parts hidden
from everyone (``aria-hidden="true"``), acronyms in capitals and a short list of proper
names are not language.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
TRANSLATIONS = REPO / "surveyapp" / "translations"
TEMPLATES = REPO / "surveyapp" / "templates"
LANGUAGES = ("vi", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "Problem": None}

#: Words that are the same in every language: names of people, tests and the product,
#: and statistical symbols.
PROPER_NAMES = frozenset({"surveyapp", "Kruskal-Wallis", "Dunn", "Holm", "χ²"})
VISIBLE_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description"})
CODE_ELEMENTS = frozenset({"script", "style", "pre", "code", "textarea"})
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019-](?=[^\W\d_]))*", re.UNICODE)
#: A path or address shown as itself, e.g. a link whose text is ``/results``.
ADDRESS = re.compile(r"(?:https?://|/)\S*")
#: A macro's output that is attributes for the tag it is called in.
ATTRIBUTES_ONLY = re.compile(r'^\s*(?:[\w-]+="[^"]*"\s*)+$')


def extracted() -> dict[str, list[str]]:
    """Message id -> where it is used, as ``pybabel extract -F babel.cfg`` finds them."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, *_rest in extract_from_dir(
        str(REPO), method_map=method_map, options_map=options_map, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def test_babel_cfg_header_names_the_keywords_this_test_uses() -> None:
    header = (REPO / "babel.cfg").read_text(encoding="utf-8").splitlines()[0]
    for keyword in set(KEYWORDS) - set(DEFAULT_KEYWORDS):
        assert f"-k {keyword}" in header, keyword


def test_extraction_sees_every_kind_of_marker() -> None:
    found = extracted()
    files = {where.split(":")[0] for places in found.values() for where in places}
    assert any(f.endswith(".html") for f in files)
    # lazy_gettext and _l (form labels), N_ (messages translated later) all reach the catalog.
    sources = {
        kind: [p for p in (REPO / "surveyapp").rglob("*.py") if f"{kind}(" in p.read_text()]
        for kind in ("lazy_gettext", "_l", "N_", "Problem")
    }
    for kind, paths in sources.items():
        assert paths, f"no {kind}( in the sources: drop it from KEYWORDS"
        assert any(str(p.relative_to(REPO)) in files for p in paths), kind


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_extracted_message_is_translated_once_and_compiled(lang: str) -> None:
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    raw = (folder / "messages.po").read_text(encoding="utf-8")
    with (folder / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    entries = [m for m in catalog if m.id]
    ids = {m.id if isinstance(m.id, str) else m.id[0]: m for m in entries}

    missing = sorted(
        f"{key!r} ({places[0]})"
        for key, places in extracted().items()
        if key not in ids
        or not ids[key].string
        or (not isinstance(ids[key].string, str) and not all(ids[key].string))
    )
    assert missing == [], f"{lang}: untranslated messages: {missing}"

    fuzzy = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in entries if m.fuzzy)
    assert fuzzy == [], f"{lang}: fuzzy entries: {fuzzy}"

    # read_po keeps the last of two equal ids silently; count them in the text.
    defined = Counter(_msgids(raw))
    twice = sorted(key for key, n in defined.items() if n > 1)
    assert twice == [], f"{lang}: defined more than once: {twice}"

    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert problems == [], f"{lang}: placeholders differ from the message id: {problems}"

    with (folder / "messages.mo").open("rb") as handle:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    assert compiled == {_hashable(m.id): _hashable(m.string) for m in entries}, (
        f"{lang}: messages.mo is stale; run pybabel compile -d surveyapp/translations"
    )


def _hashable(value: object) -> object:
    return value if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]


def _msgids(po_text: str) -> list[tuple[str, str]]:
    """(context, id) of every entry of a .po file, multi-line strings joined."""
    out: list[tuple[str, str]] = []
    context = ""
    current: list[str] | None = None
    kind = ""
    for line in [*po_text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith('"') and current is not None:
            current.append(ast.literal_eval(stripped))
            continue
        if current is not None:
            text = "".join(current)
            if kind == "msgctxt":
                context = text
            elif kind == "msgid":
                out.append((context, text))
                context = ""
            current = None
        for keyword in ("msgctxt", "msgid"):
            if stripped.startswith(keyword + " "):
                kind = keyword
                current = [ast.literal_eval(stripped[len(keyword) + 1 :])]
    return [entry for entry in out if entry[1]]


# --- templates -------------------------------------------------------------------


class _TextFinder(HTMLParser):
    """Readable text and shown attributes in a template's literal HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        self.found: list[tuple[int, str]] = []

    def _hidden(self) -> bool:
        return any(hides for _tag, hides in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hides = tag in CODE_ELEMENTS or values.get("aria-hidden") == "true"
        if not self._hidden() and not hides:
            for name, value in attrs:
                shown = name in VISIBLE_ATTRIBUTES or (
                    tag == "input"
                    and name == "value"
                    and values.get("type") in {"submit", "button", "reset"}
                )
                if shown and value and language(value):
                    self.found.append((self.getpos()[0], f'{tag} {name}="{value}"'))
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, hides))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if ATTRIBUTES_ONLY.match(data):
            return
        if not self._hidden() and language(data):
            self.found.append((self.getpos()[0], data.strip()))


def language(text: str) -> bool:
    """Whether ``text`` holds a word someone would translate."""
    for word in WORD.findall(ADDRESS.sub(" ", text)):
        if len(word) < 2 or word in PROPER_NAMES:
            continue
        if word.isupper() and len(word) <= 5:  # PDF, CSV, UTC, SIPAS
            continue
        return True
    return False


def literal_html(source: str, env: jinja2.Environment) -> str:
    """``source`` with every Jinja construct and ``{% trans %}`` block made a space.

    Newlines are kept, so the HTML parser's line numbers are the template's.
    """
    out: list[str] = []
    in_trans = 0
    expect_tag_name = False
    for _lineno, kind, value in env.lex(source):
        if kind == "block_begin":
            expect_tag_name = True
        elif expect_tag_name and kind == "name":
            if value == "trans":
                in_trans += 1
            elif value == "endtrans":
                in_trans -= 1
            expect_tag_name = False
        if kind == "data" and not in_trans:
            out.append(value)
        elif kind in {"data", "variable_begin", "block_begin"}:
            out.append(" " + "\n" * value.count("\n") if kind == "data" else " ")
        elif "\n" in str(value):
            out.append("\n" * str(value).count("\n"))
    return "".join(out)


def unmarked(source: str) -> list[tuple[int, str]]:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    finder = _TextFinder()
    finder.feed(literal_html(source, env))
    finder.close()
    return finder.found


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ("<p>Chỉ số hài lòng</p>", ["Chỉ số hài lòng"]),
        ('<p>{{ _("Satisfaction index") }}</p>', []),
        ("{% trans %}Hello {{ name }}{% endtrans %}", []),
        ('<input type="submit" value="Send">', ['input value="Send"']),
        ('<input name="q" value="kept">', []),
        ('<button name="lang" value="vi">{{ _("Preview") }}</button>', []),
        ('{% macro m(b) %} data-show-if="{{ b }}"{% endmacro %}', []),
        ('<a href="/results">/results</a> <a href="/x">Results</a>', ["Results"]),
        ('<a title="Open the report" href="/x">{{ _("x") }}</a>', ['a title="Open the report"']),
        ('<td class="num">{{ n }} PDF · CSV</td>', []),
        ('<pre><code>&lt;script src="embed.js"&gt;</code></pre>', []),
        ('<div aria-hidden="true"><label>Website</label></div>', []),
        ('<tr{% if x %} class="flagged"{% endif %}><th>Total</th></tr>', ["Total"]),
        ("{% if a %}\n\n<p>Late</p>{% endif %}", ["Late"]),
    ],
)
def test_the_scanner_finds_unmarked_text_and_only_that(template: str, found: list[str]) -> None:
    assert [text for _line, text in unmarked(template)] == found


def test_the_scanner_reports_the_template_line() -> None:
    assert unmarked("{{ a }}\n{% if b %}\n<p>Hello</p>\n{% endif %}") == [(3, "Hello")]


def test_no_template_holds_text_that_is_not_marked_for_translation() -> None:
    problems = [
        f"{path.relative_to(REPO)}:{line}: {text[:80]!r}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line, text in unmarked(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], "mark these for translation:\n" + "\n".join(problems)


def test_no_flash_message_is_a_bare_literal() -> None:
    """flash("...") with a plain string would show one language to everyone."""
    problems = []
    for path in sorted((REPO / "surveyapp").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "flash"
                and node.args
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
            ):
                problems.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert problems == []


#: The command line is an operator's tool and speaks English (click's help and labels).
CLI_CALLS = frozenset({"progressbar", "version_option", "option", "argument", "command", "group"})


def _calls(predicate: object) -> list[str]:
    found = []
    for path in sorted((REPO / "surveyapp").rglob("*.py")):
        if path.parent.name == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and predicate(node):  # type: ignore[operator]
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def _name(node: ast.Call) -> str:
    return str(getattr(node.func, "id", getattr(node.func, "attr", "")))


def _literal(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant | ast.JoinedStr) and bool(
        language(node.value if isinstance(node, ast.Constant) else "x x")
    )


def test_no_form_label_or_validation_message_is_a_bare_literal() -> None:
    """A WTForms field's label and a validator's message= are read by people."""
    labels = _calls(lambda c: _name(c).endswith("Field") and c.args and _literal(c.args[0]))
    keyword = _calls(
        lambda c: (
            _name(c) not in CLI_CALLS
            and any(
                k.arg in {"label", "message", "description"} and _literal(k.value)
                for k in c.keywords
            )
        )
    )
    assert labels + keyword == []


@pytest.mark.parametrize(
    ("lang", "required"), [("vi", "Trường này là bắt buộc."), ("en", "This field is required.")]
)
def test_wtforms_own_messages_follow_the_page_language(
    app: object, lang: str, required: str
) -> None:
    from surveyapp.admin.forms import AgencyForm

    with app.test_request_context(f"/admin?lang={lang}", method="POST", data={}):  # type: ignore[attr-defined]
        form = AgencyForm(meta={"csrf": False})
        assert not form.validate()
        assert form.errors["code"] == [required]


def test_every_wtforms_message_has_a_vietnamese_translation_and_is_compiled() -> None:
    from wtforms.i18n import messages_path

    with open(Path(messages_path()) / "wtforms.pot", "rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    folder = TRANSLATIONS / "vi" / "LC_MESSAGES"
    with (folder / "wtforms.po").open("rb") as handle:
        catalog = read_po(handle)
    ours = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    untranslated = sorted(
        k for k in wanted if k not in ours or not all(_strings(ours[k].string)) or ours[k].fuzzy
    )
    assert untranslated == [], untranslated
    assert [(m.id, e) for m, e in catalog.check()] == []
    with (folder / "wtforms.mo").open("rb") as handle:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    assert compiled == {_hashable(m.id): _hashable(m.string) for m in catalog if m.id}, (
        "wtforms.mo is stale: pybabel compile -D wtforms -d surveyapp/translations -l vi"
    )


def _strings(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
