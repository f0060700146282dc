"""Errors raised for bad questionnaire definitions and bad answers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One problem found in a questionnaire definition, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class DefinitionError(ValueError):
    """A questionnaire definition is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AnswerError(ValueError):
    """A submitted answer cannot be accepted; the messages are meant for the respondent."""

    def __init__(self, item_key: str, message_en: str, message_vi: str) -> None:
        self.item_key = item_key
        self.message_en = message_en
        self.message_vi = message_vi
        super().__init__(f"{item_key}: {message_en}")

    def message(self, lang: str) -> str:
        """Return the message in ``lang`` ("vi" or "en"), falling back to English."""
        return self.message_vi if lang == "vi" else self.message_en


class AnswersError(ValueError):
    """Several answers of one submission cannot be accepted."""

    def __init__(self, errors: list[AnswerError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
