"""The staff navigation bar and each role's home page: what the signed-in user can do.

Every staff page (console, dashboard, home) shows the same bar; templates get it from
``staff_nav()``, which is None for anonymous visitors, so public pages never make a
session or a CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from surveyapp.auth.access import can_read_city, current_staff
from surveyapp.auth.forms import LanguageForm, LogoutForm
from surveyapp.i18n import LANGUAGE_NAMES, current_language, pick
from surveyapp.models import User

ROLE_NAMES = {
    "admin": lazy_gettext("Administrator"),
    "inspector": lazy_gettext("Inspector"),
    "agency": lazy_gettext("Agency user"),
}


#: Query parameters the bar's report links keep from the report page being shown.
KEPT = ("questionnaire", "from", "to")


@dataclass(frozen=True)
class Link:
    """A place a staff member can go, with a line saying what it is for."""

    href: str
    label: str
    description: str = ""

    @property
    def current(self) -> bool:
        """Return whether this link is the page being shown."""
        return self.href.split("?", 1)[0] == request.path


@dataclass(frozen=True)
class StaffNav:
    """What the navigation bar shows: the links, who is signed in, the sign-out form."""

    email: str
    role: str
    agency: str | None
    links: tuple[Link, ...]
    logout_form: LogoutForm
    #: The switch to the other language, and the name of that language in itself.
    language_form: LanguageForm
    other_language: str


def nav_links(user: User) -> tuple[Link, ...]:
    """Return the bar's links for ``user``'s role (only pages the role may open)."""
    # Between report pages the questionnaire and period chosen are kept.
    keep = {k: v for k in KEPT if (v := request.args.get(k, ""))}
    if request.blueprint != "dashboard":
        keep = {}
    links = [Link(url_for("staff.home"), gettext("Home"))]
    if user.role in ("admin", "agency"):
        links.append(Link(url_for("admin.index"), gettext("Console")))
    links.append(Link(url_for("dashboard.index", **keep), gettext("Dashboard")))
    if can_read_city(user):
        links.append(Link(url_for("dashboard.city_page", **keep), gettext("City-wide report")))
    elif user.agency is not None:
        code = user.agency.code
        links.append(
            Link(url_for("dashboard.agency_page", code=code, **keep), gettext("Our report"))
        )
    # Feedback cases (surveyapp/cases) and publishing results (surveyapp/results).
    links.append(Link(url_for("cases.case_list"), gettext("Feedback cases")))
    if can_read_city(user):
        links.append(Link(url_for("results_console.periods"), gettext("Published results")))
    return tuple(links)


def home_tasks(user: User) -> tuple[Link, ...]:
    """Return what ``user``'s role can do, for its home page, most used first."""
    tasks: list[Link] = []
    if user.role == "admin":
        tasks.append(
            Link(
                url_for("admin.index"),
                gettext("Administration console"),
                gettext("Agencies, questionnaires, triage, users, API tokens and the audit log."),
            )
        )
    if can_read_city(user):
        tasks += [
            Link(
                url_for("dashboard.index"),
                gettext("Dashboard"),
                gettext("Every agency's satisfaction index and rank; open an agency's report."),
            ),
            Link(
                url_for("dashboard.city_page"),
                gettext("City-wide report"),
                gettext("Rankings of departments and districts, tests across agencies."),
            ),
            Link(
                url_for("dashboard.city_download", name="city.pdf"),
                gettext("City-wide report (PDF)"),
                gettext("The document to file, for the questionnaire answered most."),
            ),
        ]
    elif user.agency is not None:
        code = user.agency.code
        tasks += [
            Link(
                url_for("dashboard.agency_page", code=code),
                gettext("Our report"),
                gettext("Satisfaction index, dimensions, trend and comments; PDF and XLSX."),
            ),
            Link(
                url_for("admin.webmaster_index", code=code),
                gettext("Embedding and QR posters"),
                gettext("The snippet for our website, the direct link and posters."),
            ),
            Link(
                url_for("admin.dossier_codes", code=code),
                gettext("Dossier codes"),
                gettext("Load or generate the one-time codes printed on receipts."),
            ),
        ]
    tasks.append(
        Link(
            url_for("auth.two_factor"),
            gettext("Two-step sign-in"),
            gettext("Set up or change the code of an authenticator app, and recovery codes."),
        )
    )
    return tuple(tasks)


def staff_nav() -> StaffNav | None:
    """Return the navigation bar of the signed-in user, or None for a visitor."""
    user = current_staff()
    if user is None:
        return None
    return StaffNav(
        email=user.email,
        role=str(ROLE_NAMES.get(user.role, user.role)),
        agency=str(pick(user.agency.name_vi, user.agency.name_en)) if user.agency else None,
        links=nav_links(user),
        # formdata=None: never read the request's body (it may be refused as too large).
        logout_form=LogoutForm(formdata=None),
        language_form=_language_form(),
        other_language=LANGUAGE_NAMES[_other()],
    )


def _other() -> str:
    return "en" if current_language() == "vi" else "vi"


def _language_form() -> LanguageForm:
    # Back to this page, without a ?lang= that would override the choice just kept.
    # The path as asked and its query as given: a query key may share a name with a
    # path argument (``code``), so the URL is not rebuilt with url_for.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    here = request.script_root + request.path + (f"?{urlencode(args)}" if args else "")
    form = LanguageForm(formdata=None)
    form.language.data = _other()
    form.next.data = here if request.method == "GET" else url_for("staff.home")
    return form


def render_home(user: User) -> str:
    """Render ``user``'s home page: a card for each thing the role can do."""
    return render_template("staff/home.html", tasks=home_tasks(user))


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"staff_nav": staff_nav})
