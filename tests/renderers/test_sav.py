"""SPSS .sav of raw responses: read back with pyreadstat (ReadStat, as R's haven does)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
import yaml

from surveyapp.definitions import Questionnaire
from surveyapp.errors import InputError
from surveyapp.renderers import sav
from surveyapp.renderers.csv import FIXED, csv_chunks

TZ = "Asia/Ho_Chi_Minh"
LONG_KEY = "k" * 63
DEFINITION = f"""
format: 1
title: {{vi: "Khảo sát thử", en: "Trial survey"}}
scales:
  sat5:
    - {{value: 1, label: {{vi: "Rất không hài lòng", en: "Very dissatisfied"}}}}
    - {{value: 2, label: {{vi: "Không hài lòng", en: "Dissatisfied"}}}}
    - {{value: 3, label: {{vi: "Bình thường", en: "Neutral"}}}}
    - {{value: 4, label: {{vi: "Hài lòng", en: "Satisfied"}}}}
    - {{value: 5, label: {{vi: "Rất hài lòng", en: "Very satisfied"}}}}
sections:
  - key: profile
    kind: profile
    title: {{vi: "Thông tin chung", en: "About you"}}
    questions:
      - key: channel
        type: single_choice
        text: {{vi: "Ông/Bà nộp hồ sơ qua kênh nào?", en: "How did you apply?"}}
        options:
          - {{key: one_stop, label: {{vi: "Bộ phận một cửa", en: "One-stop shop"}}}}
          - {{key: online, label: {{vi: "Trực tuyến", en: "Online"}}}}
      - key: heard
        type: multiple_choice
        text: {{vi: "Ông/Bà biết thông tin qua đâu?", en: "Where did you hear of it?"}}
        options:
          - {{key: tv, label: {{vi: "Truyền hình", en: "Television"}}}}
          - {{key: web, label: {{vi: "Cổng thông tin điện tử", en: "Web portal"}}}}
          - {{key: friends, label: {{vi: "Bạn bè, người thân", en: "Friends and family"}}}}
      - key: to
        type: single_choice
        text: {{vi: "Đến bằng", en: "Came by"}}
        options:
          - {{key: bus, label: {{vi: "Xe buýt", en: "Bus"}}}}
          - {{key: bike, label: {{vi: "Xe máy", en: "Motorbike"}}}}
      - key: {LONG_KEY}
        type: multiple_choice
        text: {{vi: "Câu hỏi có khóa rất dài", en: "A question with a very long key"}}
        options:
          - {{key: {"a" * 60}1, label: {{vi: "Một", en: "One"}}}}
          - {{key: {"a" * 60}2, label: {{vi: "Hai", en: "Two"}}}}
      - key: employees
        type: number
        min: 0
        max: 100000
        integer: true
        text: {{vi: "Số lao động", en: "Number of employees"}}
      - key: distance_km
        type: number
        text: {{vi: "Khoảng cách (km)", en: "Distance (km)"}}
  - key: access
    kind: dimension
    title: {{vi: "Tiếp cận dịch vụ", en: "Access"}}
    questions:
      - key: access_info
        type: likert
        scale: sat5
        allow_na: true
        text: {{vi: "Thông tin trên cổng đầy đủ.", en: "The information was complete."}}
      - key: staff
        type: likert_grid
        scale: sat5
        text: {{vi: "Công chức:", en: "Civil servants:"}}
        items:
          - {{key: staff_polite, text: {{vi: "Lịch sự", en: "Were polite"}}}}
          - {{key: staff_clear, text: {{vi: "Hướng dẫn dễ hiểu", en: "Explained clearly"}}}}
  - key: overall
    title: {{vi: "Đánh giá chung", en: "Overall"}}
    questions:
      - key: recommend
        type: rating
        text: {{vi: "Sẵn lòng giới thiệu?", en: "Would you recommend us?"}}
        low_label: {{vi: "Hoàn toàn không", en: "Not at all likely"}}
        high_label: {{vi: "Chắc chắn", en: "Extremely likely"}}
      - {{key: visit_date, type: date, text: {{vi: "Ngày nộp hồ sơ", en: "Date of application"}}}}
      - {{key: name_given, type: short_text, text: {{vi: "Tên", en: "Name"}}}}
      - {{key: comment, type: long_text, max_length: 20000, text: {{vi: "Góp ý", en: "Comments"}}}}
scoring:
  satisfied_values: [4, 5]
"""
# The question keyed "channel" shares its name with a fixed column: a new definition may
# not use it (RESERVED_KEYS), but a version stored before that rule may, and exports.
TRIAL = Questionnaire.from_dict({**yaml.safe_load(DEFINITION), "slug": "trial"})


def stored(text: str) -> Questionnaire:
    """Read a definition as a stored version (reserved keys allowed, as in TRIAL)."""
    return Questionnaire.from_dict({**yaml.safe_load(text), "slug": "trial"})


COLUMNS = [i.key for i in TRIAL.items()]
FORMULA = '=HYPERLINK("http://evil.example/","bấm vào đây")'
XSS = '<script>alert("x")</script>'
VIETNAMESE = "Thủ tục nhanh, cán bộ nhiệt tình; đường đi hơi xa.\nCảm ơn!"


@dataclass
class Row:
    id: int
    agency: str = "Q1"
    submitted_at: dt.datetime = dt.datetime(2017, 6, 30, 16, 30, 15, 999, tzinfo=dt.UTC)
    channel: str = "web"
    answers: dict[str, tuple[float | None, str | None, bool]] = field(default_factory=dict)


ROWS = [
    Row(
        1,
        answers={
            "channel": (None, "online", False),
            "heard": (None, "tv;friends", False),
            "to": (None, "bus", False),
            "employees": (12.0, None, False),
            "distance_km": (2.75, None, False),
            "access_info": (None, None, True),
            "staff_polite": (4.0, None, False),
            "staff_clear": (5.0, None, False),
            "recommend": (0.0, None, False),
            "visit_date": (None, "2017-06-01", False),
            "name_given": (None, FORMULA, False),
            "comment": (None, VIETNAMESE, False),
        },
    ),
    Row(
        2,
        channel="paper",
        submitted_at=dt.datetime(2017, 1, 1, 0, 0, tzinfo=dt.UTC),
        answers={
            "channel": (None, "one_stop", False),
            "heard": (None, "web", False),
            "access_info": (3.0, None, False),
            "recommend": (10.0, None, False),
            "visit_date": (None, "1999-12-31", False),
            "comment": (None, XSS, False),
        },
    ),
    Row(3),  # a response that answered nothing
]


def read(chunks: Iterable[bytes], tmp_path: Path, **options: Any) -> tuple[pd.DataFrame, Any]:
    path = tmp_path / "out.sav"
    path.write_bytes(b"".join(chunks))
    return pyreadstat.read_sav(str(path), **options)


def write(
    tmp_path: Path,
    rows: Sequence[Row] = ROWS,
    definition: Questionnaire = TRIAL,
    lang: str = "vi",
    **options: Any,
) -> tuple[pd.DataFrame, Any]:
    columns = [i.key for i in definition.items()]
    chunks = sav.sav_chunks(rows, definition, columns, TZ, lang=lang, title="trial v1 Q1 all")
    return read(chunks, tmp_path, **options)


def test_values_round_trip(tmp_path: Path) -> None:
    frame, meta = write(tmp_path, user_missing=True)
    assert len(frame) == 3
    first, second, third = (frame.iloc[i] for i in range(3))
    assert list(frame["response_id"]) == [1, 2, 3]
    assert list(frame["agency"]) == ["Q1", "Q1", "Q1"]
    assert list(frame["channel"]) == ["web", "paper", "web"]
    # Local time (UTC+7), to the second, as the CSV writes it.
    assert first["submitted_at"] == pd.Timestamp("2017-06-30 23:30:15")
    assert second["submitted_at"] == pd.Timestamp("2017-01-01 07:00:00")
    # The question keyed "channel" meets the fixed column: it is renamed, not lost.
    assert (first["channel_2"], second["channel_2"]) == (2, 1)
    assert (first["heard_tv"], first["heard_web"], first["heard_friends"]) == (1, 0, 1)
    assert (second["heard_tv"], second["heard_web"], second["heard_friends"]) == (0, 1, 0)
    assert all(math.isnan(third[f"heard_{o}"]) for o in ("tv", "web", "friends"))
    assert first["q_to"] == 1
    assert (first["employees"], first["distance_km"]) == (12, 2.75)
    assert (first["access_info"], second["access_info"]) == (99, 3)  # 99: not applicable
    assert (first["staff_polite"], first["staff_clear"]) == (4, 5)
    assert (first["recommend"], second["recommend"]) == (0, 10)
    assert first["visit_date"] == dt.date(2017, 6, 1)
    assert second["visit_date"] == dt.date(1999, 12, 31)
    assert first["name_given"] == FORMULA  # stored literally: SPSS runs no formulas
    assert first["comment"] == VIETNAMESE
    assert second["comment"] == XSS
    assert third["comment"] == ""
    for name in ("channel_2", "employees", "access_info", "recommend", "visit_date"):
        assert pd.isna(third[name]), name
    assert meta.missing_ranges == {"access_info": [{"lo": 99.0, "hi": 99.0}]}
    plain, _ = write(tmp_path)
    assert math.isnan(plain["access_info"][0])  # user-missing unless asked for


def test_types_formats_and_measures(tmp_path: Path) -> None:
    _, meta = write(tmp_path)
    types = meta.original_variable_types
    assert types["submitted_at"] == "DATETIME20"
    assert types["visit_date"] == "DATE11"
    assert types["employees"] == "F7.0"
    assert types["comment"].startswith("A")
    measures = meta.variable_measure
    assert measures["access_info"] == measures["staff_polite"] == measures["recommend"] == "ordinal"
    assert measures["channel_2"] == measures["heard_tv"] == measures["comment"] == "nominal"
    assert measures["employees"] == measures["visit_date"] == measures["submitted_at"] == "scale"
    # No data at all: still dates and numbers, not empty strings.
    _, empty = write(tmp_path, rows=[])
    assert empty.number_rows == 0
    assert empty.original_variable_types["visit_date"] == "DATE11"
    assert empty.readstat_variable_types["employees"] == "double"


def test_labels_in_vietnamese_and_english(tmp_path: Path) -> None:
    _, vi = write(tmp_path)
    labels = dict(zip(vi.column_names, vi.column_labels, strict=True))
    assert labels["access_info"] == "Thông tin trên cổng đầy đủ."
    assert labels["staff_polite"] == "Công chức: Lịch sự"
    assert labels["heard_web"] == "Ông/Bà biết thông tin qua đâu?: Cổng thông tin điện tử"
    assert labels["submitted_at"] == "Thời điểm gửi (giờ địa phương)"
    values = vi.variable_value_labels
    assert values["access_info"] == {
        1: "Rất không hài lòng",
        2: "Không hài lòng",
        3: "Bình thường",
        4: "Hài lòng",
        5: "Rất hài lòng",
        99: "Không áp dụng",
    }
    assert values["channel_2"] == {1: "Bộ phận một cửa", 2: "Trực tuyến"}
    assert values["heard_tv"] == {0: "Không chọn", 1: "Có chọn"}
    assert values["recommend"] == {0: "Hoàn toàn không", 10: "Chắc chắn"}
    assert "comment" not in values and "employees" not in values
    _, en = write(tmp_path, lang="en")
    labels = dict(zip(en.column_names, en.column_labels, strict=True))
    assert labels["staff_polite"] == "Civil servants: Were polite"
    assert en.variable_value_labels["access_info"][99] == "Not applicable"
    assert en.variable_value_labels["channel_2"] == {1: "One-stop shop", 2: "Online"}


def test_codes_follow_the_codebook_order_and_the_csv_values() -> None:
    """Single-choice codes are option positions (the XLSX codebook's order); the rest as CSV."""
    found = {v.name: v for v in sav.variables(TRIAL, COLUMNS, "vi")}
    item = TRIAL.item("channel")
    assert found["channel_2"].codes == {o.key: n for n, o in enumerate(item.options, start=1)}
    scale = TRIAL.item("access_info").scale
    assert scale is not None
    assert set(found["access_info"].value_labels) == {s.value for s in scale.steps} | {99}
    text = "".join(csv_chunks(ROWS, COLUMNS, TZ))
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    # Same columns as the CSV, in the same order; a multiple choice spreads over its options.
    assert header == [*FIXED, *COLUMNS]
    sources = [
        v.column
        for v in found.values()
        if v.option is None or v.option == TRIAL.item(v.column).options[0].key
    ]
    assert sources == header
    spread = [v.option for v in found.values() if v.column == "heard"]
    assert spread == list(TRIAL.item("heard").option_keys)


def test_names_are_valid_unique_and_mapped(tmp_path: Path) -> None:
    found = sav.variables(TRIAL, COLUMNS, "vi")
    names = [v.name for v in found]
    for name in names:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name), name
        assert len(name.encode()) <= sav.MAX_NAME_BYTES, name
        assert name.upper() not in sav.RESERVED
    assert len({n.upper() for n in names}) == len(names)
    long = [v for v in found if v.column == LONG_KEY]
    assert [v.option for v in long] == ["a" * 60 + "1", "a" * 60 + "2"]
    assert len({v.name for v in long}) == 2
    frame, meta = write(tmp_path)
    assert list(frame.columns) == names
    # Every name that is not its column (or COLUMN_OPTION) is listed in the file's notes.
    assert "channel_2 = channel" in meta.notes
    assert "q_to = to" in meta.notes
    assert f"{long[1].name} = {LONG_KEY} option {'a' * 60}2"[: sav.MAX_NOTE_BYTES] in meta.notes
    assert "trial v1 Q1 all" in meta.notes
    assert meta.file_label == "trial v1 Q1 all"


def test_spss_name_rules() -> None:
    taken: set[str] = set()
    assert sav.spss_name("by", taken) == "q_by"
    assert sav.spss_name("9lives", taken) == "v9lives"
    assert sav.spss_name("a b-c", taken) == "a_b_c"
    assert sav.spss_name("A_B_C", taken) == "A_B_C_2"  # SPSS names ignore case
    assert sav.spss_name("x" * 80, taken) == "x" * 64
    assert sav.spss_name("x" * 70, taken) == "x" * 62 + "_2"


def test_long_text_is_cut_at_a_character_and_noted(tmp_path: Path) -> None:
    long = "ệ" * 20_000  # 60,000 bytes; SPSS (and PSPP) refuse strings over 32,767
    frame, meta = write(tmp_path, rows=[Row(1, answers={"comment": (None, long, False)})])
    kept = frame["comment"][0]
    assert kept == "ệ" * (sav.MAX_STRING_BYTES // 3)
    assert meta.original_variable_types["comment"] == f"A{len(kept.encode())}"
    assert any(note.startswith("1 text values over 32767 bytes were cut") for note in meta.notes)


def test_long_labels_fit_spss() -> None:
    text = "Ông/Bà đánh giá thế nào về thái độ phục vụ của công chức " * 10
    definition = stored(DEFINITION.replace("Số lao động", text))
    label = next(v.label for v in sav.variables(definition, COLUMNS, "vi") if v.name == "employees")
    assert len(label.encode()) <= sav.MAX_VARIABLE_LABEL_BYTES
    assert label.endswith("…") and label.startswith("Ông/Bà đánh giá")


def test_refuses_what_it_cannot_code() -> None:
    with pytest.raises(InputError, match="unknown language 'fr': 'lang' must be one of vi, en"):
        sav.sav_chunks(ROWS, TRIAL, COLUMNS, TZ, lang="fr")
    bad = [Row(7, answers={"channel": (None, "fax", False)})]
    with pytest.raises(InputError, match=r"response 7: .*'channel'.*'fax'"):
        sav.sav_chunks(bad, TRIAL, COLUMNS, TZ)
    bad = [Row(8, answers={"heard": (None, "tv;radio", False)})]
    with pytest.raises(InputError, match=r"response 8: .*'heard'.*radio"):
        sav.sav_chunks(bad, TRIAL, COLUMNS, TZ)
    bad = [Row(9, answers={"staff_polite": (None, None, True)})]
    with pytest.raises(InputError, match=r"response 9: .*'staff_polite'.*not applicable"):
        sav.sav_chunks(bad, TRIAL, COLUMNS, TZ)


def test_na_code_stays_off_the_scale() -> None:
    wide = DEFINITION.replace("{value: 5,", "{value: 99,").replace("[4, 5]", "[4, 99]")
    definition = stored(wide)
    assert sav.na_code(TRIAL) == 99
    assert sav.na_code(definition) == 999


def test_temporary_file_is_gone_before_the_bytes_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    chunks = sav.sav_chunks(ROWS, TRIAL, COLUMNS, TZ)
    assert list(spool.iterdir()) == []  # unlinked at once; the open handle still reads it
    frame, _ = read(chunks, tmp_path)
    assert len(frame) == len(ROWS)
    dropped = sav.sav_chunks(ROWS, TRIAL, COLUMNS, TZ)
    dropped.close()  # a client that goes away: the handle is closed, nothing is left
    assert list(spool.iterdir()) == []
