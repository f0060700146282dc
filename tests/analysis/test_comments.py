"""Comment topics: word boundaries from segmentation, negated flags, lexicon checks.

The expected topics of each comment were read and assigned by hand from the
lexicon's terms (surveyapp/data/comment_lexicon.yaml), not computed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.comments import (
    LexiconError,
    cached_topics,
    load_lexicon,
    parse_lexicon,
    strip_marks,
    summarise,
    topics_of,
    underthesea_segmenter,
)
from surveyapp.config import DEFAULT_COMMENT_LEXICON

SEGMENT = underthesea_segmenter()
LEXICON = load_lexicon(DEFAULT_COMMENT_LEXICON)

HAND_LABELLED = [
    (
        "Cán bộ nhũng nhiễu, đòi tiền bồi dưỡng mới làm nhanh.",
        {"civil_servants", "harassment", "informal_payment"},
    ),
    ("Cán bộ nhiệt tình, không hề nhũng nhiễu hay gây phiền hà.", {"civil_servants"}),
    ("Trả kết quả trễ hẹn 3 ngày, phải đi lại nhiều lần.", {"results", "lateness"}),
    (
        "Phòng chờ chật chội, nóng bức; cán bộ cáu gắt với người dân.",
        {"access", "civil_servants", "rudeness"},
    ),
    ("Thủ tục rườm rà, phải bổ sung hồ sơ hai lần.", {"procedures"}),
    ("Tôi đã gửi phản ánh nhưng không ai trả lời.", {"feedback"}),
    ("Rất hài lòng, cảm ơn.", set()),
    ("Không có ý kiến", set()),
    # Without diacritics: matched on bare syllables.
    (
        "can bo nhung nhieu, tra ket qua tre hen",
        {"civil_servants", "harassment", "results", "lateness"},
    ),
    # A negation in another clause does not cancel the flag.
    ("Không ai hướng dẫn. Cán bộ hạch sách.", {"civil_servants", "harassment"}),
]


@pytest.mark.parametrize(("text", "expected"), HAND_LABELLED)
def test_hand_labelled_comments(text: str, expected: set[str]) -> None:
    assert set(topics_of(text, LEXICON, SEGMENT)) == expected


def _lexicon(terms: list[str], kind: str = "flag") -> dict[str, object]:
    return {
        "version": "t1",
        "negations": ["không"],
        "topics": {"late": {"kind": kind, "label": {"vi": "Trễ", "en": "Late"}, "terms": terms}},
    }


def test_terms_match_on_word_boundaries_only() -> None:
    # "quả" is a syllable of the word "kết quả" (result): not a word of its own there.
    only_syllable = parse_lexicon(_lexicon(["quả"]))
    assert topics_of("Trả kết quả đúng hạn", only_syllable, SEGMENT) == frozenset()
    assert topics_of("Cho tôi một quả táo", only_syllable, SEGMENT) == {"late"}
    word = parse_lexicon(_lexicon(["kết quả"]))
    assert topics_of("Trả kết quả đúng hạn", word, SEGMENT) == {"late"}


def test_negation_cancels_a_flag_but_not_a_criterion() -> None:
    flag = parse_lexicon(_lexicon(["trễ hẹn"]))
    criterion = parse_lexicon(_lexicon(["trễ hẹn"], kind="criterion"))
    text = "Hồ sơ không trễ hẹn"
    assert topics_of(text, flag, SEGMENT) == frozenset()
    assert topics_of(text, criterion, SEGMENT) == {"late"}


def test_summary_counts_comments_not_mentions_and_keeps_examples_in_order() -> None:
    texts = [
        "Trễ hẹn, trễ hẹn, trễ hẹn!",
        "Cán bộ vui vẻ",
        "Bị trễ hẹn",
        "Trễ hẹn lần nữa",
        "Lại trễ hẹn",
    ]
    result = summarise(texts, LEXICON, cached_topics(LEXICON, SEGMENT), show=str.upper)
    assert result.n_comments == 5
    assert result.counts["lateness"] == 4
    assert result.counts["civil_servants"] == 1
    assert result.examples["lateness"] == (
        "TRỄ HẸN, TRỄ HẸN, TRỄ HẸN!",
        "BỊ TRỄ HẸN",
        "TRỄ HẸN LẦN NỮA",
    )
    assert result.share("lateness") == pytest.approx(0.8)


def test_strip_marks() -> None:
    assert strip_marks("Đường Nguyễn Huệ, nhũng nhiễu") == "Duong Nguyen Hue, nhung nhieu"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        ({"topics": {}}, "'version' is required"),
        ({"version": 1, "topics": {"a": {"kind": "x"}}}, "topics.a.kind"),
        ({"version": 1, "topics": {"a": {"kind": "flag", "label": {"vi": "A"}}}}, "topics.a.label"),
        (
            {
                "version": 1,
                "topics": {
                    "a": {"kind": "flag", "label": {"vi": "A", "en": "A"}, "terms": ["ok", ""]}
                },
            },
            r"topics.a.terms\[2\]",
        ),
    ],
)
def test_a_bad_lexicon_is_refused_naming_the_field(data: object, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        parse_lexicon(data, "my.yaml")


def test_a_broken_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("version: 1\ntopics:\n  a: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lexicon.yaml, line \d+: not valid YAML"):
        load_lexicon(path)


def test_fingerprint_follows_the_terms() -> None:
    one = parse_lexicon(_lexicon(["trễ hẹn"]))
    same = parse_lexicon(_lexicon(["trễ hẹn"]))
    other = parse_lexicon(_lexicon(["trễ hẹn", "chậm"]))
    assert one.fingerprint == same.fingerprint != other.fingerprint
