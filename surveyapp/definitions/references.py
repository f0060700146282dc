"""Cross-reference checks of a read definition: show_if targets, dimensions, scoring, weighting.

They run on the partial Questionnaire built from what could be read, with the marks and key
claims the ``reading.Reader`` recorded, so every reference problem points at its source line.
"""

from __future__ import annotations

from analysis.method import PROFILES
from surveyapp.definitions.fields import suggest
from surveyapp.definitions.model import Questionnaire, Scoring, Weighting, WeightTarget
from surveyapp.definitions.reading import Reader
from surveyapp.definitions.types import QUESTION_TYPES
from surveyapp.definitions.yamlsource import MMap, MNode

INDEX_METHODS = ("sipas",)
WEIGHTING_METHODS = ("raking", "poststratification")
SHARE_TOLERANCE = 1e-3


class References:
    """Checks the references of one definition against what its ``Reader`` read."""

    def __init__(self, reader: Reader) -> None:
        self.ctx = reader.ctx
        self.claims = reader.claims
        self.show_if_marks = reader.show_if_marks
        self.section_marks = reader.section_marks

    def check_show_if(self, partial: Questionnaire) -> None:
        ctx = self.ctx
        items = {item.key: item for item in partial.items()}
        for section in partial.sections:
            for question in section.questions:
                condition, marks = question.show_if, self.show_if_marks.get(question.key)
                if condition is None or marks is None:
                    continue
                ref, at = condition.question, marks.question
                claim = self.claims.get(ref)
                prefix = f"show_if of {question.key!r}"
                if claim is None:
                    ctx.add(
                        at,
                        f"{prefix} refers to unknown question {ref!r}{suggest(ref, self.claims)}",
                    )
                elif claim.position == marks.position:
                    ctx.add(at, f"{prefix} refers to the question itself")
                elif claim.position > marks.position:
                    ctx.add(
                        at,
                        f"{prefix} refers to {ref!r}, which comes later; "
                        "a condition may only refer to an earlier question",
                    )
                elif ref in items:
                    item = items[ref]
                    allowed = QUESTION_TYPES[item.type].condition_values(item)
                    if allowed is None:
                        ctx.add(
                            at,
                            f"{prefix} refers to {item.type} question {ref!r}; conditions can "
                            "only test likert, rating, single_choice or multiple_choice answers",
                        )
                        continue
                    for value, value_mark in zip(condition.values, marks.values, strict=True):
                        if value not in allowed:
                            listed = ", ".join(str(v) for v in allowed)
                            ctx.add(
                                value_mark,
                                f"{prefix}: {value!r} is not an option of {ref!r} "
                                f"(expected one of: {listed})",
                            )
                elif any(q.key == ref and q.rows for s in partial.sections for q in s.questions):
                    ctx.add(
                        at, f"{prefix} refers to likert_grid {ref!r}; refer to one of its items"
                    )

    def check_dimensions(self, partial: Questionnaire) -> None:
        for dimension in partial.dimensions():
            if not dimension.items:
                self.ctx.add(
                    self.section_marks[dimension.key],
                    f"dimension section {dimension.key!r} has no likert items to score",
                )

    def read_scoring(self, node: MNode | None, partial: Questionnaire) -> Scoring | None:
        ctx = self.ctx
        m = ctx.mapping(node, "scoring")
        if m is None:
            return None
        ctx.fields(
            m, "scoring", ("satisfied_values",), ("index", "overall", "nps", "min_n", "method")
        )
        dimensions = [d.key for d in partial.dimensions()]
        if not dimensions:
            ctx.add(m.mark, "scoring needs at least one section of kind 'dimension'")
        satisfied = self._read_satisfied(m.get("satisfied_values"), partial)
        method, chosen = "sipas", list(dimensions)
        index = ctx.mapping(m.get("index"), "scoring.index")
        if index is not None:
            ctx.fields(index, "scoring.index", (), ("method", "dimensions"))
            method = ctx.choice(index.get("method"), "index method", INDEX_METHODS) or method
            seq = ctx.sequence(index.get("dimensions"), "scoring.index.dimensions")
            if seq is not None:
                chosen = []
                for dim_node in seq.items:
                    dim = ctx.key(dim_node, "dimension key")
                    if dim is None:
                        continue
                    if dim not in dimensions:
                        hint = suggest(dim, dimensions)
                        ctx.add(
                            dim_node.mark,
                            f"scoring.index.dimensions: {dim!r} is not a dimension section{hint}",
                        )
                    elif dim in chosen:
                        ctx.add(dim_node.mark, f"scoring.index.dimensions lists {dim!r} twice")
                    else:
                        chosen.append(dim)
        overall = self._scoring_item(m.get("overall"), "scoring.overall", "likert", partial)
        nps = self._scoring_item(m.get("nps"), "scoring.nps", "rating", partial)
        min_n = ctx.integer(m.get("min_n"), "scoring.min_n", 1, 100000)
        profile = ctx.choice(m.get("method"), "method profile", tuple(PROFILES))
        method_node = m.get("method")
        if profile is not None and satisfied is not None and method_node is not None:
            wanted = PROFILES[profile].satisfied
            if sorted(satisfied) != sorted(wanted):
                ctx.add(
                    method_node.mark,
                    f"scoring.satisfied_values {sorted(satisfied)} differ from the satisfied "
                    f"set {list(wanted)} of method profile {profile!r}",
                )
        if satisfied is None:
            return None
        return Scoring(
            satisfied_values=satisfied,
            index_method=method,
            index_dimensions=tuple(chosen),
            overall=overall,
            nps=nps,
            min_n=30 if min_n is None else min_n,
            method=profile,
        )

    def _read_satisfied(self, node: MNode | None, partial: Questionnaire) -> tuple[int, ...] | None:
        ctx = self.ctx
        seq = ctx.sequence(node, "scoring.satisfied_values")
        if seq is None:
            return None
        values: list[int] = []
        scales = {i.scale.key: i.scale for i in partial.scored_items() if i.scale is not None}
        for value_node in seq.items:
            value = ctx.integer(value_node, "a satisfied value")
            if value is None:
                continue
            if value in values:
                ctx.add(value_node.mark, f"satisfied value {value} is listed twice")
                continue
            for scale in scales.values():
                if value not in scale.values:
                    ctx.add(
                        value_node.mark,
                        f"satisfied value {value} is not on scale {scale.key!r} of scored items",
                    )
            values.append(value)
        return tuple(values) if len(values) == len(seq.items) else None

    def _scoring_item(
        self, node: MNode | None, what: str, kind: str, partial: Questionnaire
    ) -> str | None:
        ctx = self.ctx
        key = ctx.key(node, f"item key of {what}")
        if key is None or node is None:
            return None
        keys = [i.key for i in partial.items()]
        if key not in keys:
            if key not in self.claims:  # else the item has its own problem
                ctx.add(node.mark, f"{what} refers to unknown item {key!r}{suggest(key, keys)}")
            return None
        item = partial.item(key)
        if item.type != kind:
            ctx.add(node.mark, f"{what} must be a {kind} item; {key!r} is {item.type}")
            return None
        return key

    def read_weighting(self, node: MNode | None, partial: Questionnaire) -> Weighting | None:
        ctx = self.ctx
        m = ctx.mapping(node, "weighting")
        if m is None:
            return None
        ctx.fields(m, "weighting", ("method", "targets"))
        method = ctx.choice(m.get("method"), "weighting method", WEIGHTING_METHODS)
        targets_map = ctx.mapping(m.get("targets"), "weighting.targets")
        targets: list[WeightTarget] = []
        items = {i.key: i for i in partial.items()}
        for variable, entry in targets_map.entries.items() if targets_map else ():
            item = items.get(variable)
            if item is None:
                if variable not in self.claims:
                    hint = suggest(variable, items)
                    ctx.add(
                        entry.key_mark, f"weighting target {variable!r} is not a question{hint}"
                    )
                continue
            if item.type != "single_choice":
                ctx.add(
                    entry.key_mark,
                    f"weighting target {variable!r} must be a single_choice question",
                )
                continue
            shares_map = ctx.mapping(entry.value, f"weighting target {variable!r}")
            if shares_map is None:
                continue
            shares = self._read_shares(shares_map, variable, item.option_keys)
            if shares is not None:
                targets.append(WeightTarget(variable, shares))
        if targets_map is not None and not targets_map.entries:
            ctx.add(targets_map.mark, "weighting.targets must name at least one question")
        if method == "poststratification" and targets_map and len(targets_map.entries) > 1:
            ctx.add(
                targets_map.mark,
                "poststratification takes exactly one target question; use raking for several",
            )
        if method is None or targets_map is None or len(targets) != len(targets_map.entries):
            return None
        return Weighting(method=method, targets=tuple(targets))

    def _read_shares(
        self, m: MMap, variable: str, options: tuple[str, ...]
    ) -> tuple[tuple[str, float], ...] | None:
        ctx = self.ctx
        shares: dict[str, float] = {}
        ok = True
        for option, entry in m.entries.items():
            value = ctx.number(entry.value, f"share of {option!r} in weighting target {variable!r}")
            if option not in options:
                hint = suggest(option, options)
                ctx.add(entry.key_mark, f"{option!r} is not an option of {variable!r}{hint}")
                ok = False
            elif value is None or not 0 < value <= 1:
                if value is not None:
                    ctx.add(entry.value.mark, f"share of {option!r} must be above 0 and at most 1")
                ok = False
            else:
                shares[option] = float(value)
        missing = [o for o in options if o not in m.entries]
        if missing:
            ctx.add(m.mark, f"weighting target {variable!r} has no share for: {', '.join(missing)}")
            ok = False
        if ok and abs(sum(shares.values()) - 1) > SHARE_TOLERANCE:
            ctx.add(
                m.mark,
                f"shares of weighting target {variable!r} sum to {sum(shares.values()):g}, not 1",
            )
            ok = False
        return tuple((o, shares[o]) for o in options) if ok else None
