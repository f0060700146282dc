"""Errors for bad input that carry messages meant for a person."""

from __future__ import annotations


class InputError(ValueError):
    """Input was refused; ``messages`` lists every problem found."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class NotFoundError(LookupError):
    """A named thing (agency, questionnaire) does not exist."""
