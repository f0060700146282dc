"""The method profile and the figures weighted to the registers, in PDFs and workbooks.

Document labels are bilingual (Vietnamese · English) from the message catalogs;
the workbook's field names are identifiers, as in its other sheets.
"""

from __future__ import annotations

from surveyapp.renderers.numbers import DASH, count, num, with_interval
from surveyapp.renderers.pdf import SMALL_SAMPLE, Document
from surveyapp.renderers.wording import N_, both
from surveyapp.reporting.method_model import MethodReport, RegisterWeighted

L_METHOD = N_("Method profile")
L_PROFILE = N_("Profile")
L_SATISFIED_SET = N_("Satisfied answers")
L_AGGREGATION = N_("Order of aggregation")
L_NA_RULE = N_("Not applicable answers")
L_PROFILE_INDEX = N_("Index under this profile [confidence interval]")
AGGREGATIONS = {
    "items": N_("items, then criteria, then the index"),
    "respondent": N_("each respondent's score, then the mean over respondents"),
}
NA_RULES = {
    "exclude": N_("left out of the denominators"),
    "not_satisfied": N_("counted as not satisfied"),
}
L_WEIGHTED = N_("Weighted to the registers")
L_WEIGHTED_NOTE = N_(
    "Weights bring each agency's share of the respondents to its share of the dossiers "
    "handled in the registers of %(period)s (%(method)s on %(variables)s). Weighted figures "
    "stand beside the unweighted ones; the weighted interval is a linearised one that "
    "carries the design effect of the weights."
)
L_FIGURE = N_("Figure")
L_UNWEIGHTED_COL = N_("Unweighted")
L_WEIGHTED_COL = N_("Weighted")
L_CITY_INDEX = N_("City index [confidence interval]")
L_RESPONDENTS = N_("Respondents")
L_EFFECTIVE_N = N_("Effective n (Kish)")
L_DEFF = N_("Design effect")
L_NOT_WEIGHTED = N_("Not weighted: %(reason)s")
L_NO_REGISTERS = N_("Agencies with respondents but no registers (weight 0): %(codes)s")
L_NO_RESPONDENTS = N_("Agencies in the registers without respondents: %(codes)s")


def profile_label(method: MethodReport) -> str:
    return f"{method.name}/{method.version}"


def pdf_method(pdf: Document, method: MethodReport | None) -> None:
    """The method profile table (on every report that has an index)."""
    if method is None:
        return
    pdf.h2(both(L_METHOD), need=40)
    pdf.data_table(
        None,
        [
            (both(L_PROFILE), profile_label(method)),
            (both(L_SATISFIED_SET), ", ".join(str(v) for v in method.satisfied)),
            (both(L_AGGREGATION), both(AGGREGATIONS.get(method.aggregation, method.aggregation))),
            (both(L_NA_RULE), both(NA_RULES.get(method.na_rule, method.na_rule))),
            (both(L_PROFILE_INDEX), with_interval(method.index, method.index_ci)),
        ],
        (70, 104),
        align=("LEFT", "LEFT"),
        size=8.5,
    )


def pdf_register_weighted(pdf: Document, weighted: RegisterWeighted | None) -> None:
    """Weighted city figures beside the unweighted ones."""
    if weighted is None:
        return
    pdf.h2(both(L_WEIGHTED), need=60)
    if weighted.reason is not None:
        pdf.para(both(L_NOT_WEIGHTED, reason=weighted.reason), 8.5)
        return
    pdf.para(
        both(
            L_WEIGHTED_NOTE,
            period=weighted.period,
            method=weighted.method,
            variables=", ".join(weighted.variables),
        ),
        8.5,
    )
    pdf.data_table(
        [both(L_FIGURE), both(L_UNWEIGHTED_COL), both(L_WEIGHTED_COL)],
        [
            (
                both(L_CITY_INDEX),
                with_interval(weighted.unweighted_index, weighted.unweighted_index_ci),
                with_interval(weighted.index, weighted.index_ci),
            ),
            (both(L_RESPONDENTS), count(weighted.n), count(weighted.n_weighted)),
            (both(L_EFFECTIVE_N), count(weighted.n), num(weighted.n_effective, 1)),
            (both(L_DEFF), "1.00", num(weighted.design_effect, 2)),
            *((c.key, num(c.unweighted), num(c.weighted)) for c in weighted.criteria),
        ],
        (70, 52, 52),
        align=("LEFT", "RIGHT", "RIGHT"),
        size=8.5,
    )
    if not weighted.reliable:
        pdf.warn(SMALL_SAMPLE)
    if weighted.agencies_without_registers:
        codes = ", ".join(weighted.agencies_without_registers)
        pdf.para(both(L_NO_REGISTERS, codes=codes), 8)
    if weighted.registered_agencies_without_responses:
        codes = ", ".join(weighted.registered_agencies_without_responses)
        pdf.para(both(L_NO_RESPONDENTS, codes=codes), 8)


def method_fields(
    method: MethodReport | None, weighted: RegisterWeighted | None = None
) -> list[list[object]]:
    """Rows of the workbook's ``method`` sheet (field, value)."""
    rows: list[list[object]] = []
    if method is not None:
        rows += [
            ["method_name", method.name],
            ["method_version", method.version],
            ["method_satisfied", ", ".join(str(v) for v in method.satisfied)],
            ["method_aggregation", method.aggregation],
            ["method_na_rule", method.na_rule],
            ["method_index", method.index],
            ["method_index_ci_lower", None if method.index_ci is None else method.index_ci.lower],
            ["method_index_ci_upper", None if method.index_ci is None else method.index_ci.upper],
        ]
    if weighted is not None:
        ci, uci = weighted.index_ci, weighted.unweighted_index_ci
        rows += [
            ["registers_period", weighted.period],
            ["weighting_method", weighted.method or DASH],
            ["weighting_variables", ", ".join(weighted.variables)],
            ["unweighted_index", weighted.unweighted_index],
            ["unweighted_index_ci_lower", None if uci is None else uci.lower],
            ["unweighted_index_ci_upper", None if uci is None else uci.upper],
            ["weighted_index", weighted.index],
            ["weighted_index_ci_lower", None if ci is None else ci.lower],
            ["weighted_index_ci_upper", None if ci is None else ci.upper],
            ["n_responses", weighted.n],
            ["n_weighted", weighted.n_weighted],
            ["n_effective", weighted.n_effective],
            ["design_effect", weighted.design_effect],
            ["small_sample", "no" if weighted.reliable else "yes"],
            ["not_weighted_reason", weighted.reason or ""],
        ]
        rows += [[f"{c.key}:unweighted", c.unweighted] for c in weighted.criteria]
        rows += [[f"{c.key}:weighted", c.weighted] for c in weighted.criteria]
    return rows
