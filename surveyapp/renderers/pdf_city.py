"""The city-wide PDF: rankings by kind, significance tests, the weakest dimensions."""

from __future__ import annotations

from surveyapp.renderers import charts, feedback_section, pdf_facts, pdf_topics
from surveyapp.renderers.document import KIND_LABELS, CityDocument
from surveyapp.renderers.method_section import pdf_method, pdf_register_weighted
from surveyapp.renderers.numbers import DASH, count, interval, num, p_value, with_interval
from surveyapp.renderers.pdf import SMALL_SAMPLE, Document
from surveyapp.renderers.texts import methodology, period_text
from surveyapp.renderers.wording import N_, language, pick, t, verdict

SUPPRESSED_ROWS = N_(
    "Rows without figures: agencies with too few responses to be shown, and the "
    "fewest others needed so that their figures cannot be worked out from the city totals."
)

DUNN_SHOWN = 15
HOLM_ALPHA = 0.05


def render(doc: CityDocument) -> bytes:
    """Return the PDF of the city-wide comparison."""
    r = doc.report
    pdf = Document(
        f"{t(N_('City-wide'))} · {period_text(r.period.from_, r.period.to)}",
        r.generated_at,
    )
    pdf.add_page()
    pdf.para(t(N_("CITY-WIDE COMPARISON")), 9)
    pdf.h1(t(N_("Citizen and business satisfaction with the city's agencies")))
    q = r.questionnaire
    ranked = sum(1 for a in r.agencies if a.rank is not None)
    pdf.data_table(
        None,
        [
            (t(N_("Reporting period")), period_text(r.period.from_, r.period.to)),
            (t(N_("Questionnaire")), f"{pick(q.title_vi, q.title_en)} ({q.slug}, v{q.version})"),
            (t(N_("Responses")), count(r.n_responses)),
            (t(N_("Agencies ranked")), f"{ranked} / {len(r.agencies)}"),
            (t(N_("Generated")), r.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ],
        (60, 114),
        align=("LEFT", "LEFT"),
        size=9,
    )
    pdf.key_figure(
        t(N_("City index")),
        num(r.index.value),
        f"{t(N_('95%% CI'))} {interval(r.index.ci)}",
    )
    for kind in doc.kinds_present():
        _ranking(pdf, doc, kind)
    _tests(pdf, doc)
    _heatmap(pdf, doc)
    pdf_facts.service_facts(pdf, r.service_facts)
    feedback_section.pdf_section(pdf, doc.feedback)
    if r.trend.periods:
        pdf.h2(t(N_("City trend")))
        pdf.figure(charts.trend_chart(r.trend).figure)
    pdf_topics.city_section(pdf, doc)
    pdf_method(pdf, r.method)
    pdf_register_weighted(pdf, r.register_weighted)
    pdf.methodology(methodology(r.min_n, r.weighted is not None, r.period.timezone, city=True))
    pdf.para(
        t(N_("Ranks are computed over all agencies together and listed by kind.")),
        8.5,
    )
    return pdf.output_bytes()


def _ranking(pdf: Document, doc: CityDocument, kind: str) -> None:
    label = t(KIND_LABELS[kind]) if kind in KIND_LABELS else kind
    rows = doc.rows_of_kind(kind)
    pdf.h2(t(N_("Ranking: %(kind)s"), kind=label), new_page=True)
    if any(r.index is not None for r in rows):
        pdf.figure(charts.caterpillar(rows).figure)
    pdf.data_table(
        [
            t(N_("Rank")),
            t(N_("City-wide rank")),
            t(N_("Code")),
            t(N_("Agency")),
            "n",
            t(N_("Index [95%% CI]")),
        ],
        [
            (
                DASH
                if r.rank_in_kind is None
                else f"{r.rank_in_kind} ({r.rank_in_kind_lower}{DASH}{r.rank_in_kind_upper})",
                DASH if r.rank is None else str(r.rank),
                r.code,
                pick(r.name_vi, r.name_en),
                count(r.n),
                with_interval(r.index, r.index_ci),
            )
            for r in rows
        ],
        (22, 16, 16, 62, 14, 44),
        align=("LEFT", "RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
        size=7.5,
        flagged=[not r.reliable and not r.suppressed for r in rows],
    )
    if any(not r.reliable and not r.suppressed for r in rows):
        pdf.warn(f"{t(N_('Orange rows'))}: {t(SMALL_SAMPLE)}.")
    if any(r.suppressed for r in rows):
        pdf.para(t(SUPPRESSED_ROWS), 8.5)


def _tests(pdf: Document, doc: CityDocument) -> None:
    r = doc.report
    pdf.h2(t(N_("Tests across agencies")), new_page=True)
    titles = dict(zip(doc.dimension_keys, doc.dimension_titles, strict=True))
    k_rows = [r.kruskal, *r.kruskal_by_dimension]
    pdf.h3(t(N_("Kruskal-Wallis (respondent means)")))
    pdf.data_table(
        [t(N_("Scope")), "H", "df", "p", "ε²", "n"],
        [
            (
                titles.get(k.scope, t(N_("All scored items"))),
                num(k.h, 2),
                str(k.df),
                p_value(k.p),
                num(k.epsilon_squared, 3),
                count(k.n),
            )
            for k in k_rows
        ],
        (70, 22, 14, 24, 20, 24),
        flagged=[not k.reliable for k in k_rows],
    )
    pdf.para(verdict("agencies", r.kruskal.p, language()), 8.5)
    pairs = r.dunn.pairs
    significant = sorted((p for p in pairs if p.p_holm < HOLM_ALPHA), key=lambda p: p.p_holm)
    pdf.h3(t(N_("Dunn (Holm-adjusted)")))
    values = {"found": len(significant), "pairs": len(pairs), "alpha": num(HOLM_ALPHA, 2)}
    pdf.para(
        t(
            N_("%(found)s of %(pairs)s agency pairs differ significantly (Holm p < %(alpha)s)."),
            **values,
        )
        + (" " + t(N_("The first %(shown)s are shown."), shown=DUNN_SHOWN) if significant else ""),
        8.5,
    )
    if significant:
        pdf.data_table(
            ["A", "B", "z", "p", "p (Holm)"],
            [
                (p.a, p.b, num(p.z, 2), p_value(p.p), p_value(p.p_holm))
                for p in significant[:DUNN_SHOWN]
            ],
            (30, 30, 34, 40, 40),
        )
    c = r.chi2
    pdf.h3(t(N_("Chi-square (%% satisfied)")))
    pdf.para(
        f"χ² = {num(c.statistic, 2)}, df = {c.df}, "
        f"Cramér's V = {num(c.cramers_v, 3)}. {verdict('agencies', c.p, language())}"
        + (
            ""
            if c.reliable
            else f"  {t(SMALL_SAMPLE)} "
            + t(N_("(smallest expected count %(n)s)"), n=num(c.min_expected, 1))
        ),
        8.5,
    )


def _heatmap(pdf: Document, doc: CityDocument) -> None:
    if not doc.matrix:
        return
    pdf.h2(t(N_("Weakest dimensions by agency")), new_page=True)
    pdf.para(
        t(N_("%% satisfied by agency and dimension; red cells are weak, grey cells have no data.")),
        8.5,
    )
    codes = [r.code for kind in doc.kinds_present() for r in doc.rows_of_kind(kind)]
    codes = [c for c in codes if c in doc.matrix]
    values = [[cell.value for cell in doc.matrix[c]] for c in codes]
    pdf.figure(charts.heatmap(codes, doc.dimension_titles, values).figure)
