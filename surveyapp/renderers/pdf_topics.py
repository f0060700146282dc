"""The comment-topics sections of the PDFs: what comments talk about, per agency."""

from __future__ import annotations

from analysis.comments import Lexicon, Topic, TopicSummary
from surveyapp.renderers.document import AgencyDocument, CityDocument
from surveyapp.renderers.numbers import count, num
from surveyapp.renderers.pdf import Document
from surveyapp.renderers.wording import N_, both, language
from surveyapp.reporting.comment_topics import current_lexicon

TITLE = N_("Comment topics")
KIND_LABELS = {"criterion": N_("SIPAS criterion"), "flag": N_("Problem reported")}
#: Agencies named as mentioning a topic most often, in the city report.
TOP_AGENCIES = 3


def _label(lexicon: Lexicon, key: str) -> str:
    return lexicon.topic(key).label(language())


def agency_section(pdf: Document, doc: AgencyDocument) -> None:
    """Topic counts of one agency's comments, with a few scrubbed examples each."""
    topics = doc.topics
    if topics is None or topics.n_comments == 0:
        return
    lexicon = current_lexicon()
    pdf.h2(both(TITLE), need=80)
    pdf.para(
        both(
            N_(
                "%(n)s comments, sorted by the words they use (lexicon %(version)s); "
                "phone numbers, ID numbers, e-mails and dossier numbers are removed."
            ),
            n=count(topics.n_comments),
            version=lexicon.version,
        ),
        8,
    )
    keys = [t.key for t in lexicon.topics]
    pdf.data_table(
        [both(N_("Topic")), both(N_("Kind")), both(N_("Comments")), "%"],
        [
            (
                _label(lexicon, k),
                both(KIND_LABELS[lexicon.topic(k).kind]),
                count(topics.counts.get(k, 0)),
                num(100 * (topics.share(k) or 0)),
            )
            for k in keys
        ],
        (78, 48, 26, 22),
        flagged=[lexicon.topic(k).kind == "flag" and topics.counts.get(k, 0) > 0 for k in keys],
    )
    for key in keys:
        examples = topics.examples.get(key, ())
        if not examples:
            continue
        pdf.h3(_label(lexicon, key))
        for text in examples:
            pdf.para(f"— {text}", 8.5)


def city_section(pdf: Document, doc: CityDocument) -> None:
    """Per topic, the comments that mention it city-wide and the agencies most concerned."""
    if not doc.topics:
        return
    lexicon = current_lexicon()
    pdf.h2(both(TITLE), new_page=True)
    total = sum(s.n_comments for s in doc.topics.values())
    pdf.para(
        both(
            N_("%(n)s comments of %(agencies)s agencies, sorted by the words they use."),
            n=count(total),
            agencies=count(len(doc.topics)),
        ),
        8,
    )
    rows = []
    for topic in lexicon.topics:
        mentions = sorted(
            ((s.counts.get(topic.key, 0), code) for code, s in doc.topics.items()),
            key=lambda pair: (-pair[0], pair[1]),
        )
        top = ", ".join(f"{code} ({n})" for n, code in mentions[:TOP_AGENCIES] if n)
        rows.append((_label(lexicon, topic.key), count(sum(n for n, _ in mentions)), top or "—"))
    pdf.data_table(
        [both(N_("Topic")), both(N_("Comments")), both(N_("Agencies mentioned most"))],
        rows,
        (74, 26, 74),
        align=("LEFT", "RIGHT", "LEFT"),
    )
    flags = [t for t in lexicon.topics if t.kind == "flag"]
    pdf.h3(both(N_("Problems reported, by agency")))
    ranked = sorted(doc.topics.items(), key=lambda item: (-_flag_total(item[1], flags), item[0]))
    pdf.data_table(
        [both(N_("Agency")), both(N_("Comments")), *(t.label(language()) for t in flags)],
        [
            (code, count(s.n_comments), *(count(s.counts.get(t.key, 0)) for t in flags))
            for code, s in ranked
        ],
        (30, 24, *([120 / max(len(flags), 1)] * len(flags))),
        size=7.5,
    )


def _flag_total(summary: TopicSummary, flags: list[Topic]) -> int:
    return sum(summary.counts.get(t.key, 0) for t in flags)
