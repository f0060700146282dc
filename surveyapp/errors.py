"""Errors for bad input that carry messages meant for a person.

A message is a plain ``str`` in English, what the command line prints and logs keep.
Where a page shows it, a :class:`Problem` also carries its message id and values, so
the page can show it in its own language (``surveyapp.i18n.problem_text``). Babel
extracts ``Problem("...")`` calls (``-k Problem`` in babel.cfg's header).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


class Problem(str):
    """An English message that remembers how to say it in another language.

    ``Problem("the reason must be at most %(n)s characters", n=500)`` is the string
    ``"the reason must be at most 500 characters"``; ``translated(gettext)`` looks the
    message id up and fills in the values, themselves translated when they are Problems.
    The message is always %-formatted: a literal percent sign is written ``%%``.
    """

    msgid: str
    values: Mapping[str, object]

    def __new__(cls, msgid: str, /, **values: object) -> Problem:
        made = super().__new__(cls, msgid % values)
        made.msgid = msgid
        made.values = values
        return made

    def translated(self, gettext: Callable[[str], str]) -> str:
        return gettext(self.msgid) % {
            key: localized(value, gettext) for key, value in self.values.items()
        }


def localized(message: object, gettext: Callable[[str], str]) -> object:
    """Return ``message`` translated when it is a :class:`Problem`, else as it is."""
    return message.translated(gettext) if isinstance(message, Problem) else message


class InputError(ValueError):
    """Input was refused; ``messages`` lists every problem found."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class NotFoundError(LookupError):
    """A named thing (agency, questionnaire) does not exist."""
