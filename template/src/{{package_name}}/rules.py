"""The discovery call's business rules that read as checks, checked in code.

A rule is a sentence. Sentences of the forms below (case aside, a trailing
full stop and ", when present," after the first field allowed) become
checks of every reply; a reply that breaks one is invalid output, kept in
quarantine with reason `business_check`:

    <field> is less than | below | more than | greater than | above |
        at most | at least | before | after | on or before | on or after
        <field or number or YYYY-MM-DD date>
    <field> is positive | not negative
    <field> is true | false whenever <field> is <value>

Both fields must be output fields whose types compare (numbers with
numbers, dates with dates; the first field of the last form a boolean). A
check whose field is null in a reply does not apply to it. Any other
sentence is told to the model only and is listed in UNCHECKED_RULES: write
its check in validation.business_problems. A hand-written parser, because
the sentences come from a discovery call, not from a rule language a
library reads.
"""

import datetime
import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .fields import BUSINESS_RULES, OUTPUT_FIELDS, FieldSpec

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "less than": operator.lt,
    "below": operator.lt,
    "before": operator.lt,
    "more than": operator.gt,
    "greater than": operator.gt,
    "above": operator.gt,
    "after": operator.gt,
    "at most": operator.le,
    "on or before": operator.le,
    "at least": operator.ge,
    "on or after": operator.ge,
}
_NAME = r"[a-z][a-z0-9_]*"
_SUBJECT = rf"(?P<a>{_NAME})(?:,? when present,?)? is "
# Longest phrases first, so "on or after" is not read as "after".
_PHRASES = "|".join(sorted(_COMPARISONS, key=len, reverse=True))
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_OTHER = rf"{_NAME}|-?[0-9]+(?:\.[0-9]+)?|{_DATE}"
_COMPARISON = re.compile(rf"{_SUBJECT}(?P<op>{_PHRASES}) (?P<b>{_OTHER})")
_SIGN = re.compile(rf"{_SUBJECT}(?P<sign>positive|not negative)")
_WHENEVER = re.compile(
    rf"{_SUBJECT}(?P<value>true|false) whenever (?P<b>{_NAME}) is (?P<when>\S+)"
)
_NUMBERS = {"integer", "number"}


@dataclass(frozen=True)
class Rule:
    """One checkable rule: its sentence, and what a reply must satisfy."""

    text: str
    fields: tuple[str, ...]
    holds: Callable[..., bool]
    # The values the sentence names (a bound, a date), for whoever needs an
    # example that keeps the rule.
    values: tuple[Any, ...] = ()

    def problem(self, values: Mapping[str, Any]) -> str | None:
        """Say how `values` break the rule, or None (also when a field is null)."""
        found = [values.get(name) for name in self.fields]
        if any(value is None for value in found) or self.holds(*found):
            return None
        shown = ", ".join(
            f"{name}={_shown(value)}"
            for name, value in zip(self.fields, found, strict=True)
        )
        return f'"{self.text}" does not hold ({shown})'


def _shown(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def parse(text: str, fields: Mapping[str, FieldSpec]) -> Rule | None:
    """Return the check a rule sentence states, or None when it states none."""
    sentence = " ".join(text.split()).rstrip(".")
    lowered = sentence.lower()
    if match := _COMPARISON.fullmatch(lowered):
        return _comparison(text, fields, match["a"], match["op"], match["b"])
    if match := _SIGN.fullmatch(lowered):
        bound = operator.gt if match["sign"] == "positive" else operator.ge
        if _kind(fields, match["a"]) != "number":
            return None
        return Rule(text, (match["a"],), lambda a: bound(a, 0), (0,))
    if match := _WHENEVER.fullmatch(lowered):
        a, b = match["a"], match["b"]
        if a == b or a not in fields or fields[a].type != "boolean" or b not in fields:
            return None
        condition = _condition(fields[b], match["when"].strip("\"'"))
        if condition is None:
            return None
        wanted = match["value"] == "true"
        return Rule(text, (a, b), lambda va, vb: not condition(vb) or va is wanted)
    return None


def _condition(spec: FieldSpec, text: str) -> Callable[[Any], bool] | None:
    """What "<field> is <text>" means for a value of `spec`, if it means anything."""
    if spec.choices:
        chosen = [choice for choice in spec.choices if choice.lower() == text]
        return (lambda value: value == chosen[0]) if chosen else None
    if spec.type == "boolean" and text in ("true", "false"):
        return lambda value: value is (text == "true")
    if spec.type == "string":
        return lambda value: str(value).lower() == text
    kind = _kind({spec.name: spec}, spec.name)
    literal = None if kind is None else _literal(text, kind)
    if literal is None:
        return None
    return lambda value: bool(value == literal)


def _comparison(
    text: str, fields: Mapping[str, FieldSpec], a: str, op: str, b: str
) -> Rule | None:
    kind = _kind(fields, a)
    compare = _COMPARISONS[op]
    if kind is None:
        return None
    if b in fields:
        if b == a or _kind(fields, b) != kind:
            return None
        return Rule(text, (a, b), compare)
    literal = _literal(b, kind)
    if literal is None:
        return None
    return Rule(text, (a,), lambda va: compare(va, literal), (literal,))


def _kind(fields: Mapping[str, FieldSpec], name: str) -> str | None:
    spec = fields.get(name)
    if spec is None or spec.choices:
        return None
    if spec.type in _NUMBERS:
        return "number"
    return "date" if spec.type == "date" else None


def _literal(text: str, kind: str) -> float | datetime.date | None:
    try:
        if kind == "date":
            # fromisoformat reads 20240101 too; the sentence must say 2024-01-01.
            if not re.fullmatch(_DATE, text):
                return None
            return datetime.date.fromisoformat(text)
        if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
            return None
        return float(text)
    except ValueError:
        return None


_BY_NAME = {field.name: field for field in OUTPUT_FIELDS}
_PARSED = [(text, parse(text, _BY_NAME)) for text in BUSINESS_RULES]
CHECKED_RULES = tuple(rule for _, rule in _PARSED if rule is not None)
UNCHECKED_RULES = tuple(text for text, rule in _PARSED if rule is None)


def problems(values: Mapping[str, Any]) -> list[str]:
    """List the checked rules a reply's values break."""
    found = (rule.problem(values) for rule in CHECKED_RULES)
    return [problem for problem in found if problem is not None]
