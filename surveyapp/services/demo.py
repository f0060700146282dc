"""Synthetic demo data: Ho Chi Minh City's agencies (2017) and realistic responses.

Responses follow a latent-satisfaction model with real differences between
agencies, between dimensions, between agencies within a dimension, a mild
improvement over the year and respondent-level consistency, so that every
statistic and chart has something true to show. Every generated answer goes
through the same validator as a respondent's.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.definitions import Item, Questionnaire
from surveyapp.models import Agency, AlertRecipient, QuestionnaireVersion, Response
from surveyapp.reporting import folding
from surveyapp.services import registers
from surveyapp.services.agencies import ImportResult, import_agencies
from surveyapp.services.questionnaires import definition_of
from surveyapp.services.responses import NewResponse, check_answers, store_responses

AGENCIES_CSV = "hcmc_2017_agencies.csv"
CHANNEL_SHARES = {"embed": 0.45, "web": 0.3, "paper": 0.25}
NA_SHARE = 0.04
OPTIONAL_SKIP_SHARE = 0.03
COMMENTS = (
    "Cán bộ hướng dẫn tận tình, thủ tục nhanh gọn.",
    "Thời gian chờ ở bộ phận một cửa còn lâu.",
    "Nên cho nộp hồ sơ trực tuyến toàn bộ, không phải đến nộp bản giấy.",
    "Hồ sơ của tôi bị trễ hẹn nhưng không nhận được thư xin lỗi.",
    "Phí, lệ phí được niêm yết rõ ràng.",
    "Cổng dịch vụ công hay bị lỗi khi tải tệp đính kèm.",
    "Staff were helpful and explained every step.",
    "Chỗ ngồi chờ chật, thiếu máy lấy số thứ tự.",
)


#: This busy district's satisfaction falls from October; ``surveyapp alerts run`` tells
#: its head and the inspector (these addresses) once.
FALLING_AGENCY = "Q8"
FALL_FROM_MONTH = 10
FALL = 0.8
DEMO_RECIPIENTS = (
    ("head", "lanhdao.{code}@example.gov.vn", "vi"),
    ("inspector", "thanhtra@example.gov.vn", "vi"),
)


def add_demo_recipients(session: Session, agency: Agency) -> int:
    """Give the falling district its head and the inspector as recipients, once."""
    if session.scalar(select(AlertRecipient.id).where(AlertRecipient.agency_id == agency.id)):
        return 0
    for role, email, language in DEMO_RECIPIENTS:
        session.add(
            AlertRecipient(
                agency_id=agency.id,
                role=role,
                email=email.format(code=agency.code.lower()),
                language=language,
                wants_digest=False,
            )
        )
    return len(DEMO_RECIPIENTS)


def shipped_agencies_csv() -> str:
    return resources.files("surveyapp.data").joinpath(AGENCIES_CSV).read_text(encoding="utf-8")


def load_agencies(session: Session) -> ImportResult:
    """Add the shipped departments and districts that are not stored yet.

    An agency already stored is never changed: an administrator may have edited
    its names, origins or theme since the demo first loaded it.
    """
    return import_agencies(session, shipped_agencies_csv(), keep_existing=True)


REGISTERS_CSV = "hcmc_2017_registers.csv"


def load_registers(session: Session) -> int:
    """Store the shipped 2017 registers of dossiers unless some 2017 registers exist."""
    if "2017" in registers.periods(session):
        return 0
    text = resources.files("surveyapp.data").joinpath(REGISTERS_CSV).read_text(encoding="utf-8")
    return registers.import_registers(session, text).rows


@dataclass(frozen=True)
class DemoResult:
    slug: str
    version: int
    created: int


def existing_responses(session: Session, version_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Response.id)).where(Response.questionnaire_version_id == version_id)
        )
        or 0
    )


class _Generator:
    """Draws one questionnaire's answers from a seeded latent model."""

    def __init__(self, definition: Questionnaire, agencies: Sequence[Agency], seed: int) -> None:
        self.definition = definition
        self.rng = np.random.default_rng(seed)
        # Per-answer draws use the standard library: far cheaper than numpy scalars.
        self.draw = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.agencies = list(agencies)
        self.kind_of_section = {s.key: s.kind for s in definition.sections}
        dims = [d.key for d in definition.dimensions()]
        self.dimension_effect = dict(
            zip(dims, self.rng.normal(0, 0.3, len(dims)).tolist(), strict=True)
        )
        self.agency_effect = self.rng.normal(0, 0.45, len(self.agencies)).tolist()
        self.interaction = self.rng.normal(0, 0.22, (len(self.agencies), len(dims))).tolist()
        self.dimension_index = {key: i for i, key in enumerate(dims)}
        self.item_offset = {i.key: float(self.rng.normal(0, 0.15)) for i in definition.items()}
        self.choice_shares = {
            i.key: [float(x) for x in self.rng.dirichlet(np.full(len(i.options), 2.0))]
            for i in definition.items()
            if i.options
        }
        for i in definition.items():  # no serious report (informal payment) in the demo
            if any(o.alert for o in i.options):
                self.choice_shares[i.key] = [0.0 if o.alert else 1.0 for o in i.options]
        weights = self.rng.lognormal(0, 0.5, len(self.agencies))
        weights *= [1.6 if a.kind == "district" else 1.0 for a in self.agencies]
        self.falling = next(
            (k for k, a in enumerate(self.agencies) if a.code == FALLING_AGENCY), None
        )
        if self.falling is not None:  # a busy one-stop shop: enough respondents a month
            weights[self.falling] = 4 * weights.max()
        self.agency_weights = [float(w) for w in weights / weights.sum()]
        scoring = definition.scoring
        self.overall_key = scoring.overall if scoring else None
        self.nps_key = scoring.nps if scoring else None

    def when(self, year: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
        start = dt.date(year, 1, 1)
        while True:
            day = start + dt.timedelta(days=self.draw.randrange(365))
            if day.weekday() < 5 or self.draw.random() < 0.15:  # offices open Mon-Fri (+Sat)
                break
        minutes = self.draw.randrange(7 * 60 + 30, 17 * 60)
        local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=tz)
        return local.astimezone(dt.UTC)

    def answers(self, agency_index: int, when: dt.datetime) -> dict[str, Any]:
        respondent = self.draw.gauss(0, 0.6)
        progress = (when.timetuple().tm_yday / 365.0) - 0.5  # reform improves the year
        base = 3.55 + self.agency_effect[agency_index] + respondent + 0.3 * progress
        if agency_index == self.falling and when.month >= FALL_FROM_MONTH:
            base -= FALL
        raw: dict[str, Any] = {}
        dimension_scores: list[float] = []
        for item in self.definition.items():
            value = self._answer(item, agency_index, base, dimension_scores)
            if value is not None:
                raw[item.key] = value
        return raw

    def _likert(self, item: Item, latent: float) -> Any:
        if item.allow_na and self.draw.random() < NA_SHARE:
            return "na"
        low, high = int(item.min_value or 1), int(item.max_value or 5)
        return min(high, max(low, round(latent + self.draw.gauss(0, 0.65))))

    def _answer(
        self, item: Item, agency_index: int, base: float, dimension_scores: list[float]
    ) -> Any:
        draw = self.draw
        if not item.required and draw.random() < OPTIONAL_SKIP_SHARE:
            return None
        if item.type == "likert" and item.dimension is not None:
            dim = self.dimension_index[item.dimension]
            latent = (
                base
                + self.dimension_effect[item.dimension]
                + self.interaction[agency_index][dim]
                + self.item_offset[item.key]
            )
            dimension_scores.append(latent)
            return self._likert(item, latent)
        if item.key == self.overall_key or item.type == "likert":
            mean = sum(dimension_scores) / len(dimension_scores) if dimension_scores else base
            return self._likert(item, mean + 0.1)
        if item.type == "rating":
            mean = sum(dimension_scores) / len(dimension_scores) if dimension_scores else base
            return min(10, max(0, round(2.3 * (mean - 1) + draw.gauss(0.3, 1.3))))
        if item.type == "single_choice":
            return draw.choices(item.option_keys, weights=self.choice_shares[item.key])[0]
        if item.type == "multiple_choice":
            picked = [k for k in item.option_keys if draw.random() < 0.3]
            return picked or [item.option_keys[0]]
        if item.type == "number":
            low = item.min if item.min is not None else 0
            high = item.max if item.max is not None else low + 1000
            value = min(high, max(low, draw.lognormvariate(2.5, 1.2)))
            return int(value) if item.integer else round(value, 1)
        if item.type == "date":
            return (dt.date(2017, 1, 1) + dt.timedelta(days=draw.randrange(300))).isoformat()
        if item.type == "long_text":
            if item.required or draw.random() < 0.12:
                return draw.choice(COMMENTS)
            return None
        if item.type == "short_text":
            return "Không có" if item.required else None
        return None


def generate_responses(
    session: Session,
    version: QuestionnaireVersion,
    agencies: Sequence[Agency],
    *,
    count: int,
    seed: int,
    year: int = 2017,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> int:
    """Generate and store ``count`` accepted responses; return how many were stored."""
    definition = definition_of(version)
    generator = _Generator(definition, agencies, seed)
    tz = zoneinfo.ZoneInfo(timezone)
    channels = list(CHANNEL_SHARES)
    shares = list(CHANNEL_SHARES.values())
    agency_indices = range(len(agencies))
    batch: list[NewResponse] = []
    stored = 0
    for _ in range(count):
        index = generator.draw.choices(agency_indices, weights=generator.agency_weights)[0]
        when = generator.when(year, tz)
        checked = check_answers(definition, generator.answers(index, when))
        if checked.errors:
            details = "; ".join(str(e) for e in checked.errors)
            raise RuntimeError(f"demo generator produced answers the validator refuses: {details}")
        batch.append(
            NewResponse(
                questionnaire_version_id=version.id,
                agency_id=agencies[index].id,
                channel=generator.draw.choices(channels, weights=shares)[0],
                answers=checked.answers,
                submitted_at=when,
            )
        )
        if len(batch) == 2000:
            stored += len(store_responses(session, batch))
            batch = []
    stored += len(store_responses(session, batch))
    folding.fold_all(session, timezone)
    if generator.falling is not None and definition.scoring is not None:
        add_demo_recipients(session, agencies[generator.falling])
    return stored
