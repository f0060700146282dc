"""The city-wide PDF: rankings by kind, significance tests, the weakest dimensions."""

from __future__ import annotations

from flask_babel import gettext

from surveyapp.renderers import charts, feedback_section, pdf_facts, pdf_topics
from surveyapp.renderers.document import KIND_LABELS, CityDocument
from surveyapp.renderers.method_section import pdf_method, pdf_register_weighted
from surveyapp.renderers.numbers import DASH, count, interval, num, p_value, with_interval
from surveyapp.renderers.pdf import SMALL_SAMPLE, Document
from surveyapp.renderers.texts import methodology, period_text
from surveyapp.renderers.wording import verdict

DUNN_SHOWN = 15
HOLM_ALPHA = 0.05


def render(doc: CityDocument) -> bytes:
    """Return the PDF of the city-wide comparison."""
    r = doc.report
    pdf = Document(
        f"Toàn thành phố · City-wide · {period_text(r.period.from_, r.period.to)}",
        r.generated_at,
    )
    pdf.add_page()
    pdf.para("BÁO CÁO SO SÁNH TOÀN THÀNH PHỐ · CITY-WIDE COMPARISON", 9)
    pdf.h1("Mức độ hài lòng của người dân, tổ chức đối với các cơ quan")
    pdf.para("Citizen and business satisfaction with the city's agencies", 11)
    q = r.questionnaire
    ranked = sum(1 for a in r.agencies if a.rank is not None)
    pdf.data_table(
        None,
        [
            ("Kỳ báo cáo · Period", period_text(r.period.from_, r.period.to)),
            ("Bảng hỏi · Questionnaire", f"{q.title_vi} ({q.slug}, v{q.version})"),
            ("Số phiếu · Responses", count(r.n_responses)),
            ("Cơ quan xếp hạng · Agencies ranked", f"{ranked} / {len(r.agencies)}"),
            ("Lập lúc · Generated", r.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ],
        (60, 114),
        align=("LEFT", "LEFT"),
        size=9,
    )
    pdf.key_figure(
        "Chỉ số toàn thành phố · City index",
        num(r.index.value),
        f"KTC 95% · 95% CI {interval(r.index.ci)}",
    )
    for kind in doc.kinds_present():
        _ranking(pdf, doc, kind)
    _tests(pdf, doc)
    _heatmap(pdf, doc)
    pdf_facts.service_facts(pdf, r.service_facts)
    feedback_section.pdf_section(pdf, doc.feedback)
    if r.trend.periods:
        pdf.h2("Xu hướng toàn thành phố · City trend")
        pdf.figure(charts.trend_chart(r.trend).figure)
    pdf_topics.city_section(pdf, doc)
    pdf_method(pdf, r.method)
    pdf_register_weighted(pdf, r.register_weighted)
    pdf.methodology(methodology(r.min_n, r.weighted is not None, r.period.timezone, city=True))
    pdf.para(
        "Thứ hạng được tính trên tất cả cơ quan cùng lúc rồi trình bày riêng theo loại. "
        "Ranks are computed over all agencies together and listed by kind.",
        8.5,
    )
    return pdf.output_bytes()


def _ranking(pdf: Document, doc: CityDocument, kind: str) -> None:
    vi, en = KIND_LABELS.get(kind, (kind, kind))
    rows = doc.rows_of_kind(kind)
    pdf.h2(f"Xếp hạng: {vi} · Ranking: {en}", new_page=True)
    if any(r.index is not None for r in rows):
        pdf.figure(charts.caterpillar(rows).figure)
    pdf.data_table(
        [
            "Hạng · Rank",
            gettext("City-wide rank"),
            "Mã",
            "Cơ quan · Agency",
            "n",
            "Chỉ số · Index [95% CI]",
        ],
        [
            (
                DASH
                if r.rank_in_kind is None
                else f"{r.rank_in_kind} ({r.rank_in_kind_lower}{DASH}{r.rank_in_kind_upper})",
                DASH if r.rank is None else str(r.rank),
                r.code,
                r.name_vi,
                count(r.n),
                with_interval(r.index, r.index_ci),
            )
            for r in rows
        ],
        (22, 16, 16, 62, 14, 44),
        align=("LEFT", "RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
        size=7.5,
        flagged=[not r.reliable for r in rows],
    )
    if any(not r.reliable for r in rows):
        pdf.warn(f"Dòng màu cam · orange rows: {SMALL_SAMPLE}.")


def _tests(pdf: Document, doc: CityDocument) -> None:
    r = doc.report
    pdf.h2("Kiểm định khác biệt giữa các cơ quan · Tests across agencies", new_page=True)
    titles = dict(zip(doc.dimension_keys, doc.dimension_titles, strict=True))
    k_rows = [r.kruskal, *r.kruskal_by_dimension]
    pdf.h3("Kruskal-Wallis (trung bình của người trả lời · respondent means)")
    pdf.data_table(
        ["Phạm vi · Scope", "H", "df", "p", "ε²", "n"],
        [
            (
                titles.get(k.scope, "Tất cả câu chấm điểm · All scored items"),
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
    pdf.para(
        f"{verdict('agencies', r.kruskal.p, 'vi')} {verdict('agencies', r.kruskal.p, 'en')}", 8.5
    )
    pairs = r.dunn.pairs
    significant = sorted((p for p in pairs if p.p_holm < HOLM_ALPHA), key=lambda p: p.p_holm)
    pdf.h3("Dunn (hiệu chỉnh Holm · Holm-adjusted)")
    pdf.para(
        f"{len(significant)} / {len(pairs)} cặp cơ quan khác nhau có ý nghĩa (p Holm < 0.05). "
        f"{len(significant)} of {len(pairs)} agency pairs differ significantly."
        + (f" Hiển thị {DUNN_SHOWN} cặp đầu · first {DUNN_SHOWN} shown." if significant else ""),
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
    pdf.h3("Chi-square (% hài lòng · % satisfied)")
    pdf.para(
        f"χ² = {num(c.statistic, 2)}, df = {c.df}, "
        f"Cramér's V = {num(c.cramers_v, 3)}. {verdict('agencies', c.p, 'vi')} "
        f"{verdict('agencies', c.p, 'en')}"
        + ("" if c.reliable else f"  {SMALL_SAMPLE} (min expected {num(c.min_expected, 1)})"),
        8.5,
    )


def _heatmap(pdf: Document, doc: CityDocument) -> None:
    if not doc.matrix:
        return
    pdf.h2("Tiêu chí yếu nhất theo cơ quan · Weakest dimensions by agency", new_page=True)
    pdf.para(
        "% hài lòng theo cơ quan và tiêu chí; ô đỏ là điểm yếu, ô xám là không có dữ liệu. "
        "% satisfied by agency and dimension; red cells are weak, grey cells have no data.",
        8.5,
    )
    codes = [r.code for kind in doc.kinds_present() for r in doc.rows_of_kind(kind)]
    codes = [c for c in codes if c in doc.matrix]
    values = [[cell.value for cell in doc.matrix[c]] for c in codes]
    pdf.figure(charts.heatmap(codes, doc.dimension_titles, values).figure)
