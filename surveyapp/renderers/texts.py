"""Fixed wording of documents: labels and the methodology notes (Vietnamese, English).

The methodology comes from the message catalogs (msgids in English), in both languages.
"""

from __future__ import annotations

from surveyapp.renderers.numbers import DASH, num
from surveyapp.renderers.wording import N_, t

#: Response channels as people read them (msgids: translate with ``t`` or ``_``).
CHANNEL_LABELS = {
    "web": N_("Web form"),
    "embed": N_("Form embedded on the agency's site"),
    "api": N_("Kiosk or app (API)"),
    "paper": N_("Paper form"),
    "counter": N_("One-stop-shop counter"),
}


def period_text(first: object, last: object) -> str:
    if first is None or last is None:
        return t(N_("no data"))
    return f"{first} {DASH} {last}"


M_DEFINITIONS = N_("Definitions")
M_DEFINITIONS_TEXT = N_(
    "Satisfied = answer 4 or 5 on the 5-point scale (satisfied, very satisfied). The SIPAS "
    "satisfaction index is the mean over dimensions of the dimension's %% satisfied (0-100). "
    "'Not applicable' and unanswered items are counted but never analysed."
)
M_INTERVALS = N_("Intervals")
M_INTERVALS_TEXT = N_(
    "All intervals are 95%% confidence intervals: Wilson for proportions, t for means, the "
    "delta method for the index and dimension scores, Feldt for Cronbach's alpha. Ranks carry "
    "an interval from simulation of the index's sampling error."
)
M_SMALL = N_("Small-sample rule")
M_SMALL_TEXT = N_(
    "Results resting on fewer than %(min_n)s respondents are marked '⚠ small sample' and "
    "should not be used for comparison."
)
M_WEIGHTING = N_("Weighting")
M_WEIGHTED_TEXT = N_(
    "Weighted estimates, where shown, are raked to the questionnaire's population targets; "
    "headline figures are unweighted."
)
M_UNWEIGHTED_TEXT = N_("The questionnaire defines no weighting: every figure is unweighted.")
M_CHANGES = N_("Changes and tests")
M_CHANGES_TEXT = N_(
    "A change is the difference in %% satisfied with the overall question from the previous "
    "period, in percentage points. A p-value below 0.05 is read as a difference larger than "
    "chance; a larger one as a difference chance alone could give."
)
M_COMPARISONS = N_("Comparisons between agencies")
M_COMPARISONS_TEXT = N_(
    "Comparisons between agencies use each respondent's mean over the scored questions they "
    "answered; %% satisfied comparisons and trends use the overall satisfaction question."
)
M_SCOPE = N_("Scope")
M_SCOPE_TEXT = N_(
    "Local days (%(timezone)s), both ends inclusive. Accepted responses only: quarantined or "
    "deleted responses never count. A report covers one questionnaire version (by default the "
    "newest with responses); responses to other versions are not included."
)


def methodology(
    min_n: float, weighted: bool, timezone: str, *, city: bool = False
) -> list[tuple[str, str]]:
    """Return (heading, text) in the documents' language explaining every figure of a report."""
    sections = [
        (M_DEFINITIONS, M_DEFINITIONS_TEXT),
        (M_INTERVALS, M_INTERVALS_TEXT),
        (M_SMALL, M_SMALL_TEXT),
        (M_WEIGHTING, M_WEIGHTED_TEXT if weighted else M_UNWEIGHTED_TEXT),
        (M_CHANGES, M_CHANGES_TEXT),
        *([(M_COMPARISONS, M_COMPARISONS_TEXT)] if city else []),
        (M_SCOPE, M_SCOPE_TEXT),
    ]
    values = {"min_n": num(min_n, 0), "timezone": timezone}
    return [(t(head), t(text, **values)) for head, text in sections]
