"""The agency report PDF: the document an inspector files."""

from __future__ import annotations

from surveyapp.renderers import charts, feedback_section, pdf_facts, pdf_topics
from surveyapp.renderers.document import AgencyDocument
from surveyapp.renderers.method_section import pdf_method
from surveyapp.renderers.numbers import DASH, count, interval, num, signed, with_interval
from surveyapp.renderers.pdf import SMALL_SAMPLE, Document, clean
from surveyapp.renderers.texts import CHANNEL_LABELS, methodology, period_text
from surveyapp.renderers.wording import N_, decimal, language, method, pick, reason, t, verdict
from surveyapp.reporting.model import AgencyReport, DimensionReport, ItemReport


def render(doc: AgencyDocument) -> bytes:
    """Return the PDF of one agency's report."""
    r = doc.report
    name = pick(r.agency.name_vi, r.agency.name_en)
    pdf = Document(f"{name} · {period_text(r.period.from_, r.period.to)}", r.generated_at)
    pdf.set_subject(clean(f"{t(N_('Satisfaction report'))} · {name}"))
    _cover(pdf, doc)
    _key_figures(pdf, doc)
    _comparison(pdf, doc)
    items = {i.key: i for i in r.items}
    for dim in r.dimensions:
        _dimension(pdf, r, dim, [items[k] for k in dim.items if k in items])
    _trend(pdf, r)
    _drivers(pdf, r)
    _profile(pdf, r)
    pdf_facts.service_facts(pdf, r.service_facts)
    pdf_facts.counter(pdf, r.counter)
    feedback_section.pdf_section(pdf, doc.feedback)
    _comments(pdf, doc)
    pdf_topics.agency_section(pdf, doc)
    pdf_method(pdf, r.method)
    pdf.methodology(methodology(r.min_n, r.weighted is not None, r.period.timezone))
    return pdf.output_bytes()


def _cover(pdf: Document, doc: AgencyDocument) -> None:
    r = doc.report
    pdf.add_page()
    pdf.para(t(N_("SATISFACTION REPORT")), 9)
    pdf.h1(pick(r.agency.name_vi, r.agency.name_en))
    pdf.para(f"({r.agency.code})", 11)
    pdf.ln(2)
    q = r.questionnaire
    rows = [
        (t(N_("Reporting period")), period_text(r.period.from_, r.period.to)),
        (t(N_("Time zone")), r.period.timezone),
        (
            t(N_("Questionnaire")),
            t(
                N_("%(title)s (%(slug)s, version %(version)s)"),
                title=pick(q.title_vi, q.title_en),
                slug=q.slug,
                version=q.version,
            ),
        ),
        (t(N_("Responses")), count(r.n_responses)),
        (t(N_("Generated")), r.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    pdf.data_table(None, rows, (55, 119), align=("LEFT", "LEFT"), size=9)
    total = sum(n for _, n in doc.channels) or 1
    pdf.h3(t(N_("Response channels")))
    pdf.data_table(
        [t(N_("Channel")), t(N_("Responses")), "%"],
        [
            (t(CHANNEL_LABELS[c]) if c in CHANNEL_LABELS else c, count(n), num(100 * n / total))
            for c, n in doc.channels
        ],
        (100, 40, 34),
    )
    if r.n_responses < r.min_n:
        pdf.warn(
            f"{t(SMALL_SAMPLE)}: "
            + t(
                N_("%(n)s responses, fewer than the threshold of %(min_n)s."),
                n=count(r.n_responses),
                min_n=num(r.min_n, 0),
            )
        )


def _key_figures(pdf: Document, doc: AgencyDocument) -> None:
    r = doc.report
    pdf.h2(t(N_("Key figures")))
    idx = r.index
    flag = f"  {t(SMALL_SAMPLE)}" if not idx.reliable else ""
    ci = t(N_("95%% CI"))
    pdf.key_figure(
        t(N_("Satisfaction index")),
        num(idx.value),
        f"{ci} {interval(idx.ci)}; {method(idx.method)}{flag}",
    )
    row = doc.city_row
    if row is not None and row.rank is not None:
        pdf.key_figure(
            t(N_("Rank")),
            f"{row.rank} / {doc.ranked}",
            f"{t(N_('rank interval'))} {row.rank_lower}{DASH}{row.rank_upper}",
        )
    else:
        pdf.key_figure(t(N_("Rank")), DASH, t(N_("not ranked")))
    last = r.trend.periods[-1] if r.trend.periods else None
    change = last.change if last is not None else None
    if change is not None:
        pdf.key_figure(
            t(N_("Change since the previous period")),
            signed(change.difference),
            f"{last.label if last else ''}: {t(POINTS)}; {interval(change.ci)}. "
            f"{verdict('change', change.p, language())}"
            + ("" if change.reliable else f"  {t(SMALL_SAMPLE)}"),
        )
    if doc.city is not None:
        pdf.key_figure(
            t(N_("City index")),
            num(doc.city.index.value),
            f"{ci} {interval(doc.city.index.ci)}",
        )
    nps = r.indices.nps
    if nps is not None and nps.value is not None:
        pdf.key_figure("NPS", num(nps.value), f"{interval(nps.ci)}; n = {count(nps.n)}")
    pdf.ln(1)
    pdf.data_table(
        [t(N_("Dimension")), "n", t(N_("%% satisfied [95%% CI]")), t(N_("Mean [95%% CI]"))],
        [
            (
                pick(d.title_vi, d.title_en),
                count(d.n_min),
                with_interval(d.satisfied_pct, d.satisfied_ci),
                with_interval(d.mean, d.mean_ci, 2),
            )
            for d in r.dimensions
        ],
        (70, 16, 44, 44),
        flagged=[not d.reliable for d in r.dimensions],
    )


def _comparison(pdf: Document, doc: AgencyDocument) -> None:
    if doc.city is None:
        return
    r = doc.report
    pdf.h2(t(N_("Comparison with the city")), need=120)
    pdf.figure(charts.comparison_bars(r.dimensions, doc.city.dimensions).figure)
    city = {d.key: d for d in doc.city.dimensions}
    rows = []
    for d in r.dimensions:
        c = city.get(d.key)
        diff = None
        if c is not None and c.satisfied_pct is not None and d.satisfied_pct is not None:
            diff = d.satisfied_pct - c.satisfied_pct
        rows.append(
            (
                pick(d.title_vi, d.title_en),
                num(d.satisfied_pct),
                num(c.satisfied_pct if c else None),
                signed(diff),
            )
        )
    pdf.data_table(
        [t(N_("Dimension")), t(N_("Agency")), t(N_("City")), t(N_("Difference"))],
        rows,
        (86, 28, 32, 28),
    )


def _dimension(
    pdf: Document, r: AgencyReport, dim: DimensionReport, items: list[ItemReport]
) -> None:
    pdf.h2(pick(dim.title_vi, dim.title_en), new_page=True)
    if not dim.reliable:
        pdf.warn(f"{t(SMALL_SAMPLE)}: n = {count(dim.n_min)} < {num(r.min_n, 0)}")
    alpha = (
        f"{with_interval(dim.alpha, dim.alpha_ci, 2)} (n = {dim.alpha_n})"
        if dim.alpha is not None
        else f"{DASH} ({reason(dim.alpha_reason)})"
    )
    pdf.data_table(
        None,
        [
            (t(N_("%% satisfied [95%% CI]")), with_interval(dim.satisfied_pct, dim.satisfied_ci)),
            (t(N_("Mean (1-5) [95%% CI]")), with_interval(dim.mean, dim.mean_ci, 2)),
            (t(N_("Score 0-100 [95%% CI]")), with_interval(dim.score_100, dim.score_100_ci)),
            (t(N_("Reliability (Cronbach's alpha)")), alpha),
        ],
        (80, 94),
        align=("LEFT", "LEFT"),
    )
    if items:
        pdf.figure(charts.diverging_bars(items).figure)
        pdf.data_table(
            [t(N_("Question")), "n", t(N_("Mean")), t(N_("%% satisfied [95%% CI]"))],
            [
                (
                    pick(i.text_vi, i.text_en),
                    count(i.n),
                    with_interval(i.mean, i.mean_ci, 2),
                    with_interval(i.satisfied_pct, i.satisfied_ci),
                )
                for i in items
            ],
            (86, 14, 36, 38),
            size=7.5,
            flagged=[not i.reliable for i in items],
        )


POINTS = N_("percentage points")
OVERALL = N_("overall satisfaction")
TOP_DRIVER = N_(
    "%(driver)s explains the largest share (%(share)s%%) of the explained variation in "
    "“%(outcome)s” (R² = %(r2)s)."
)
TREND_HEAD = (
    N_("Period"),
    "n",
    N_("Index [95%% CI]"),
    N_("%% satisfied (overall question)"),
    N_("Change (percentage points)"),
)


def trend_rows(r: AgencyReport) -> list[tuple[str, ...]]:
    """Return the trend table: the change is in points of the % satisfied beside it."""
    return [
        (
            p.label,
            count(p.n_responses),
            with_interval(p.index, p.index_ci),
            num(p.satisfied_pct),
            signed(p.change.difference) if p.change else DASH,
        )
        for p in r.trend.periods
    ]


def _trend(pdf: Document, r: AgencyReport) -> None:
    pdf.h2(t(N_("Trend")), new_page=True)
    if not r.trend.periods:
        pdf.para(t(N_("No data.")))
        return
    pdf.figure(charts.trend_chart(r.trend).figure)
    pdf.data_table(
        [t(h) for h in TREND_HEAD],
        trend_rows(r),
        (24, 14, 50, 40, 46),
        size=7.5,
        flagged=[not p.reliable for p in r.trend.periods],
    )
    test = r.trend.cochran_armitage
    if test is not None and test.p is not None:
        pdf.para(
            f"Cochran-Armitage: z = {num(test.z, 2)}. {verdict('trend', test.p, language())}",
            8,
        )


def _drivers(pdf: Document, r: AgencyReport) -> None:
    d = r.drivers
    pdf.h2(t(N_("Drivers")), need=90)
    if d is None or not d.weights:
        pdf.para(t(N_("Not enough data.")))
        return
    titles = {dim.key: pick(dim.title_vi, dim.title_en) for dim in r.dimensions}
    names = [titles.get(w.name, w.name) for w in d.weights]
    pdf.figure(charts.driver_bars(names, [w.pct_of_r2 for w in d.weights]).figure)
    top = max(d.weights, key=lambda w: w.raw)
    item = next((i for i in r.items if i.key == d.outcome), None)
    driver = titles.get(top.name, top.name)
    said = pick(item.text_vi, item.text_en) if item else t(OVERALL)
    values = {"share": round(top.pct_of_r2), "r2": decimal(d.r_squared or 0.0, 2, language())}
    pdf.para(t(TOP_DRIVER, driver=driver, outcome=said, **values), 8.5)
    pdf.para(f"R² = {num(d.r_squared, 3)}, n = {d.n}", 8)
    if not d.reliable:
        pdf.warn(t(SMALL_SAMPLE))


def _profile(pdf: Document, r: AgencyReport) -> None:
    pdf.h2(t(N_("Respondent profile")), new_page=True)
    for choice in r.profile:
        pdf.h3(f"{pick(choice.text_vi, choice.text_en)} (n = {count(choice.n)})")
        pdf.data_table(
            [t(N_("Answer")), "n", "%"],
            [
                (pick(v.label_vi, v.label_en), count(v.count), num(v.pct))
                for v in choice.distribution
            ],
            (120, 27, 27),
            size=7.5,
        )


def _comments(pdf: Document, doc: AgencyDocument) -> None:
    if doc.comments is None:
        pdf.h2(t(N_("Comments")))
        pdf.para(t(N_("Left out of this report on request.")), 8.5)
        return
    pdf.h2(t(N_("Comments")), new_page=True)
    pdf.para(
        t(
            N_("The %(shown)s most recent of %(total)s, as written (unedited)."),
            shown=len(doc.comments),
            total=doc.comments_total,
        ),
        8,
    )
    for comment in doc.comments:
        pdf.para(f"{comment.day} — {comment.text}", 8.5)
