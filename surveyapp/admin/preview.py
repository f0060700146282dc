"""The respondent's form rendered for staff, with the public form's own template and fields."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request, url_for

from surveyapp.definitions import Questionnaire
from surveyapp.forms.builder import AgencyChoice, build_form, page_of
from surveyapp.i18n import LANGUAGE_NAMES, LANGUAGES, set_language
from surveyapp.models import Agency
from surveyapp.public.blank_form import render_sections
from surveyapp.public.theme import page_theme


def preview_language() -> str:
    lang = request.values.get("lang", "vi")
    return lang if lang in LANGUAGES else "vi"


def render_form(
    definition: Questionnaire,
    lang: str,
    *,
    agency: Agency | None,
    portal_agencies: list[Agency] | None = None,
    embed: bool = False,
) -> str:
    """Return the form page exactly as a respondent sees it; sending it stores nothing."""
    set_language(lang)
    choices = None
    if agency is None:
        choices = [
            AgencyChoice(a.code, a.name_en if lang == "en" else a.name_vi, a.kind)
            for a in portal_agencies or []
        ]
    form_class = build_form(definition, lang, agencies=choices, dossier=False)
    form = form_class(formdata=None, data={"token": ""})
    sections, links = page_of(form, definition, lang, {})
    other = "en" if lang == "vi" else "vi"
    switch_url = request.path + "?" + urlencode({**request.args.to_dict(), "lang": other})
    return render_template(
        "public/form.html",
        lang=lang,
        embed=embed,
        parent_origin=None,
        switch=(switch_url, other, LANGUAGE_NAMES[other]),
        form=form,
        title=definition.title.get(lang),
        description=definition.description.get(lang) if definition.description else None,
        agency_name=(agency.name_en if lang == "en" else agency.name_vi) if agency else None,
        agency_theme=page_theme(agency.code) if agency else None,
        sections_html=render_sections(sections),
        error_links=links,
        messages={},
        notice=None,
        action=url_for("admin.preview_sink"),
    )
