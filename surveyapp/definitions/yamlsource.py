"""Safe YAML reading into a tree whose every node knows its line and column.

PyYAML's loaders lose positions, overwrite duplicate keys silently and expand aliases
(the "billion laughs" bomb). Here the node tree is composed with a SafeLoader subclass
and converted by hand, so that:

- every node keeps its 1-based line and column for messages;
- duplicate mapping keys are reported, not overwritten;
- anchors and aliases are refused (nothing is ever expanded);
- only plain tags are accepted (str, int, float, bool, null, seq, map); ``!!python/...``
  and any other tag is a reported problem, never constructed;
- scalars resolve as in YAML 1.2: only ``true``/``false`` are booleans, so an option
  key ``no`` or ``on`` stays a string, and dates stay strings;
- nesting is capped, so a deeply nested document cannot exhaust the recursion limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from surveyapp.definitions.errors import Problem

MAX_DEPTH = 40
_MAX_PROBLEMS = 200
_TAG_PREFIX = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT = _TAG_PREFIX + "str", _TAG_PREFIX + "int", _TAG_PREFIX + "float"
_BOOL, _NULL = _TAG_PREFIX + "bool", _TAG_PREFIX + "null"
_SEQ, _MAP = _TAG_PREFIX + "seq", _TAG_PREFIX + "map"
_REFUSED = "!refused-alias"  # stands for an alias; its problem is already reported
# Characters YAML forbids in a stream (the same set PyYAML's Reader refuses).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based position; ``path`` locates nodes that came from plain data, not text."""

    line: int
    column: int
    path: str = ""


@dataclass(frozen=True, slots=True)
class MScalar:
    value: Scalar
    mark: Mark
    #: True when the scalar could not be read (its problem is already reported).
    broken: bool = False


@dataclass(frozen=True, slots=True)
class MSeq:
    items: tuple[MNode, ...]
    mark: Mark


@dataclass(frozen=True, slots=True)
class MEntry:
    key_mark: Mark
    value: MNode


@dataclass(frozen=True, slots=True)
class MMap:
    entries: Mapping[str, MEntry]
    mark: Mark

    def get(self, name: str) -> MNode | None:
        entry = self.entries.get(name)
        return None if entry is None else entry.value


MNode = MScalar | MSeq | MMap


def describe(node: MNode) -> str:
    """Name the kind of a node for messages ("a list", "a number", ...)."""
    if isinstance(node, MMap):
        return "a mapping"
    if isinstance(node, MSeq):
        return "a list"
    value = node.value
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases, caps nesting and resolves like YAML 1.2."""

    # A fresh table, so the YAML 1.1 resolvers (yes/no booleans, timestamps, sexagesimal
    # numbers, merge keys) inherited from SafeLoader are not used.
    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}  # type: ignore[misc]

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_problems: list[tuple[yaml.Mark, str]] = []
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            event = self.get_event()  # type: ignore[no-untyped-call]
            self.alias_problems.append(
                (event.start_mark, f"YAML aliases (*{event.anchor}) are not allowed")
            )
            return ScalarNode(_REFUSED, "", event.start_mark, event.end_mark)
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if event.anchor is not None:
            self.alias_problems.append(
                (event.start_mark, f"YAML anchors (&{event.anchor}) are not allowed")
            )
            event.anchor = None
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None, None, f"nesting deeper than {MAX_DEPTH} levels", event.start_mark
                )
            node = super().compose_node(parent, index)
            if node is None:  # only at the end of a stream, never inside a document
                raise ComposerError(None, None, "unexpected end of the document", event.start_mark)
            return node
        finally:
            self._depth -= 1


_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _mark(mark: yaml.Mark) -> Mark:
    return Mark(mark.line + 1, mark.column + 1)


def _position(text: str, index: int) -> Mark:
    line = text.count("\n", 0, index) + 1
    return Mark(line, index - (text.rfind("\n", 0, index) + 1) + 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.file, mark.line, mark.column, message))

    def node(self, node: Node) -> MNode:
        mark = _mark(node.start_mark)
        if isinstance(node, ScalarNode) and node.tag == _REFUSED:
            return MScalar(None, mark, broken=True)
        if isinstance(node, ScalarNode):
            count = len(self.problems)
            scalar = self.scalar(node, mark)
            return MScalar(scalar, mark, broken=len(self.problems) > count)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self.problem(mark, f"tag {_show_tag(node.tag)!r} is not allowed")
            return MSeq(tuple(self.node(child) for child in node.value), mark)
        if not isinstance(node, MappingNode):  # pragma: no cover - PyYAML has no other kind
            raise TypeError(f"unexpected YAML node {node!r}")
        if node.tag != _MAP:
            self.problem(mark, f"tag {_show_tag(node.tag)!r} is not allowed")
        entries: dict[str, MEntry] = {}
        for key_node, value_node in node.value:
            key_mark = _mark(key_node.start_mark)
            value = self.node(value_node)
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                if isinstance(key_node, ScalarNode) and key_node.tag in (
                    _INT,
                    _FLOAT,
                    _BOOL,
                    _NULL,
                ):
                    self.problem(key_mark, f"key {key_node.value!r} must be a string (quote it)")
                elif isinstance(key_node, ScalarNode):
                    self.problem(key_mark, f"tag {_show_tag(key_node.tag)!r} is not allowed")
                else:
                    self.problem(key_mark, "mapping keys must be plain strings")
                continue
            key = key_node.value
            if key in entries:
                first = entries[key].key_mark
                self.problem(
                    key_mark, f"duplicate key {key!r} (first defined at line {first.line})"
                )
                continue
            entries[key] = MEntry(key_mark, value)
        return MMap(entries, mark)

    def scalar(self, node: ScalarNode, mark: Mark) -> Scalar:
        tag: str = node.tag
        text: str = node.value
        if tag == _STR:
            return text
        if tag == _NULL:
            if text in ("", "~", "null", "Null", "NULL"):
                return None
        elif tag == _BOOL:
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
        elif tag == _INT:
            try:
                return int(text.strip(), 10)
            except ValueError:  # also raised for more than 4300 digits
                pass
        elif tag == _FLOAT:
            cleaned = text.strip().lower()
            special = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
            if cleaned in special:
                return special[cleaned]
            try:
                return float(cleaned)
            except ValueError:
                pass
        else:
            self.problem(mark, f"tag {_show_tag(tag)!r} is not allowed")
            return None
        shown = text if len(text) <= 40 else text[:37] + "..."
        self.problem(mark, f"{shown!r} is not a valid {_show_tag(tag)} value")
        return None


def compose_text(text: str, file: str) -> tuple[MNode | None, list[Problem]]:
    """Parse YAML ``text`` into a marked tree; return it (None when unusable) and problems.

    ``file`` names the source in problems. An empty document gives a problem.
    """
    problems: list[Problem] = []
    for match in _NON_PRINTABLE.finditer(text):
        at = _position(text, match.start())
        problems.append(
            Problem(
                file, at.line, at.column, f"character U+{ord(match.group()):04X} is not allowed"
            )
        )
        if len(problems) >= _MAX_PROBLEMS:
            break
    if problems:
        return None, problems
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = _mark(mark) if mark is not None else Mark(1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark is not None:
            message = f"{exc.context} at line {exc.context_mark.line + 1}: {exc.problem}"
        return None, [Problem(file, at.line, at.column, f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    problems.extend(
        Problem(file, m.line + 1, m.column + 1, msg) for m, msg in loader.alias_problems
    )
    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL and not root.value):
        problems.append(Problem(file, 1, 1, "file is empty"))
        return None, problems
    converter = _Converter(file)
    tree = converter.node(root)
    problems.extend(converter.problems)
    return tree, problems


def from_plain(value: object, path: str = "") -> tuple[MNode | None, list[str]]:
    """Build a marked tree from plain JSON-like data (a stored definition).

    Nodes get line 1, column 1 and a JSON-pointer ``path``. Returns the tree and the
    paths of values that are not JSON-like.
    """
    mark = Mark(1, 1, path or "/")
    bad: list[str] = []
    if isinstance(value, Mapping):
        entries: dict[str, MEntry] = {}
        for key, child in value.items():
            child_path = f"{path}/{key}"
            if not isinstance(key, str):
                bad.append(child_path)
                continue
            node, child_bad = from_plain(child, child_path)
            bad.extend(child_bad)
            if node is not None:
                entries[key] = MEntry(Mark(1, 1, child_path), node)
        return MMap(entries, mark), bad
    if isinstance(value, list | tuple):
        items: list[MNode] = []
        for index, child in enumerate(value):
            node, child_bad = from_plain(child, f"{path}/{index}")
            bad.extend(child_bad)
            if node is not None:
                items.append(node)
        return MSeq(tuple(items), mark), bad
    if value is None or isinstance(value, str | int | float | bool):
        return MScalar(value, mark), bad
    return None, [path or "/"]
