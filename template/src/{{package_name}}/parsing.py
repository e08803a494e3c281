"""Find the JSON object in a model reply.

Structured output makes the reply a bare JSON object, but a reply wrapped in
``` fences or surrounded by prose is still recovered when the object inside
is complete. A reply cut off mid-object is never completed or guessed at:
it has no decodable object, so it is rejected.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidOutputError

_FENCE = re.compile(r"```[A-Za-z]*[ \t]*\n(.*?)\n?```", re.DOTALL)
_NOT_JSON = object()


def _refuse_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity, but they are not JSON and no
    # record can store them: refused, the text is not JSON, as any other.
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


@dataclass(frozen=True)
class ParsedReply:
    """The decoded object and how it was found (for the logs)."""

    data: dict[str, Any]
    method: str


def extract_json(text: str) -> ParsedReply:
    """Return the JSON object in `text`, or raise InvalidOutputError."""
    whole = _decode(text.strip())
    if isinstance(whole, dict):
        return ParsedReply(whole, "whole")
    # Valid JSON of another shape (an array, a string) is an answer in the
    # wrong shape, not an object wrapped in prose: don't dig into it.
    if whole is _NOT_JSON:
        for block in _FENCE.findall(text):
            fenced = _decode(block.strip())
            if isinstance(fenced, dict):
                return ParsedReply(fenced, "fenced")
        embedded = _first_embedded_object(text)
        if embedded is not None:
            return ParsedReply(embedded, "prose")
    raise InvalidOutputError(
        "The reply holds no complete JSON object.",
        reason="no_json",
        raw_reply=text,
    )


def _decode(text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except (ValueError, RecursionError):
        # RecursionError: arrays or objects nested deeper than Python recurses.
        return _NOT_JSON


def _first_embedded_object(text: str) -> dict[str, Any] | None:
    # Try each "{" in turn: prose before the object may hold braces too.
    start = text.find("{")
    while start != -1:
        try:
            value, _ = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None
