"""The kiosk page's questions as plain blocks, every text in the page's language.

Likert items shown as ``faces`` become a row of large labelled faces (radio
inputs underneath, so keyboards and screen readers use them as any radio
group); other likert and single-choice items become large radio buttons, text
items a text box. Templates only display what is built here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from surveyapp.definitions import NA_LABEL, NA_VALUE, Item, Questionnaire

TEXT_TYPES = ("short_text", "long_text")
KIOSK_TYPES = ("likert", "single_choice", *TEXT_TYPES)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    #: 1-5: the face drawn (1 very unhappy ... 5 very happy); 0: no face.
    face: int = 0


@dataclass(frozen=True)
class Block:
    key: str
    kind: str  # "faces", "choices" or "text"
    title: str
    required: bool
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    show_if: str | None = None
    #: JSON list of the answers of ``show_if`` that show this block.
    show_values: str | None = None


def _face(position: int, count: int) -> int:
    """Map a step's position on a scale of ``count`` steps to one of five faces."""
    if count <= 1:
        return 3
    return 1 + round(4 * position / (count - 1))


def _block(item: Item, lang: str) -> Block:
    common: dict[str, Any] = {
        "key": item.key,
        "title": item.text.get(lang),
        "required": item.required,
        "show_if": item.show_if.question if item.show_if else None,
        "show_values": json.dumps([str(v) for v in item.show_if.values]) if item.show_if else None,
    }
    if item.type == "likert" and item.scale is not None:
        steps = item.scale.steps
        faces = item.display == "faces"
        choices = [
            Choice(str(s.value), s.label.get(lang), _face(i, len(steps)) if faces else 0)
            for i, s in enumerate(steps)
        ]
        if item.allow_na:
            choices.append(Choice(NA_VALUE, NA_LABEL.get(lang)))
        return Block(kind="faces" if faces else "choices", choices=tuple(choices), **common)
    if item.type == "single_choice":
        choices = [Choice(o.key, o.label.get(lang)) for o in item.options]
        return Block(kind="choices", choices=tuple(choices), **common)
    return Block(kind="text", max_length=item.max_length, **common)


def blocks_of(definition: Questionnaire, lang: str) -> list[Block]:
    """Return the kiosk blocks of ``definition``; ValueError for a type a kiosk cannot show."""
    unfit = [i.key for i in definition.items() if i.type not in KIOSK_TYPES]
    if unfit:
        raise ValueError(f"a kiosk cannot show the questions {', '.join(unfit)}")
    return [_block(item, lang) for item in definition.items()]
