"""Check a caller's request body and the model's output against the models.

Both are validated strictly, as JSON: "12" is not a number and 1 is not
true. Problems with a request body become one message that names each field
and says what to send instead, so a caller can fix it without a traceback.
"""

import json
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from . import aws, policy, rules
from .errors import InvalidOutputError, InvalidRequestError, RequestTooLargeError
from .fields import INPUT_FIELDS, OUTPUT_FIELDS, FieldSpec
from .schema import RequestInput, RequestOutput

_INPUT_SPECS = {field.name: field for field in INPUT_FIELDS}
# The field types whose values are numbers a record must be able to keep.
_NUMBER_TYPES = ("integer", "number")
_MAX_SHOWN = 40
_MAX_PROBLEMS = 5

# Every record keeps its input, and a DynamoDB item holds at most 400 KB in
# all; the output beside it is bounded by max_output_tokens. The character
# limit alone does not bound this: a character is up to 4 bytes in UTF-8.
MAX_INPUT_BYTES = 300_000


def parse_request_body(body: str | None) -> RequestInput:
    """Return the validated input, or raise InvalidRequestError."""
    if body is None or not body.strip():
        raise InvalidRequestError(f"The request body is empty; {_expected()}")
    size = len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_INPUT_BYTES:
        raise RequestTooLargeError(
            f"The request body is {size} bytes in UTF-8, more than the "
            f"{MAX_INPUT_BYTES} a record can keep; send a shorter input or split it"
            " into requests."
        )
    if len(body) > policy.MAX_INPUT_CHARS:
        raise InvalidRequestError(
            f"The request body is {len(body)} characters, more than the limit of "
            f"{policy.MAX_INPUT_CHARS}; send a shorter input or split it into requests."
        )
    data = _load_json(body)
    if not isinstance(data, dict):
        raise InvalidRequestError(
            f"The request body is {_json_kind(data)}, not an object; {_expected()}"
        )
    try:
        request = RequestInput.model_validate_json(body, strict=True)
    except ValidationError as error:
        problems = [_describe(detail) for detail in error.errors()]
        raise InvalidRequestError(" ".join(problems[:_MAX_PROBLEMS])) from None
    unstorable = _unstorable_number(request, INPUT_FIELDS)
    if unstorable is not None:
        name, number = unstorable
        raise InvalidRequestError(
            f'"{name}" holds the number {number!r}, which a record cannot keep; '
            f"send numbers of {aws.NUMBER_LIMITS}."
        )
    return request


def _load_json(body: str) -> Any:
    """Parse the body as JSON that can be stored and repeated exactly."""
    try:
        data = json.loads(
            body,
            object_pairs_hook=_refuse_repeated_names,
            parse_constant=_refuse_constant,
        )
    except RecursionError:
        raise InvalidRequestError(
            f"The request body nests arrays or objects too deep to read; {_expected()}"
        ) from None
    except json.JSONDecodeError as error:
        raise InvalidRequestError(
            f"The request body is not valid JSON ({error}); {_expected()}"
        ) from None
    except ValueError:
        # Python refuses integers of more than 4300 digits on purpose.
        raise InvalidRequestError(
            "The request body holds a number with thousands of digits; send "
            f"numbers of an ordinary size. S{_expected()[1:]}"
        ) from None
    # The body arrives as valid UTF-8, so only a \u escape can make a lone
    # surrogate; most bodies have none and skip this second serialisation.
    if "\\u" not in body:
        return data
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequestError(
            "The request body holds an escaped lone surrogate (such as "
            '"\\ud800"), which is not a character and cannot be stored; send '
            "valid Unicode text."
        ) from None
    return data


def _unstorable_number(
    model: RequestInput | RequestOutput, fields: tuple[FieldSpec, ...]
) -> tuple[str, int | float] | None:
    """The first number field whose value no record can keep, and the value."""
    for field in fields:
        value = getattr(model, field.name)
        numeric = field.type in _NUMBER_TYPES and value is not None
        if numeric and not aws.storable_number(value):
            return field.name, value
    return None


def _refuse_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity; they are not JSON numbers.
    raise InvalidRequestError(
        f"The request body holds {name}, which is not a JSON number; send "
        "numbers as digits."
    )


def _refuse_repeated_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which of two equal names wins; refusing both keeps
    # what is stored the same as what the caller meant.
    # A set, not a count per name: a body of many keys must not take
    # quadratic time.
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise InvalidRequestError(
                f'The request body names "{name}" twice in one object; send each '
                "field once."
            )
        seen.add(name)
    return dict(pairs)


def _expected() -> str:
    fields = ", ".join(
        f"{field.name} (required)" if field.required else field.name
        for field in INPUT_FIELDS
    )
    return f"send a JSON object with the fields {fields}."


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if value is None:
        return "JSON null"
    return f"the JSON value {json.dumps(value)}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _describe(detail: ErrorDetails) -> str:
    location = detail["loc"]
    name = str(location[0]) if location else ""
    spec = _INPUT_SPECS.get(name)
    if not name:
        return f"The request body does not match the input model ({detail['msg']})."
    if detail["type"] == "extra_forbidden" or spec is None:
        accepted = ", ".join(_INPUT_SPECS)
        return f'"{name}" is not an accepted field; remove it (accepted: {accepted}).'
    if detail["type"] == "missing":
        return f'"{name}" is missing; add it as {spec.expectation}.'
    item = f" item {int(location[1]) + 1}" if len(location) > 1 else ""
    return (
        f'"{name}"{item} is {_shown(detail["input"])}; '
        f"send {spec.expectation}{' that is not empty' if _is_empty(detail) else ''}."
    )


def _is_empty(detail: ErrorDetails) -> bool:
    # Too short is "", the pattern is the one that refuses only whitespace.
    return detail["type"] in {"string_too_short", "string_pattern_mismatch"}


def validate_output(data: dict[str, Any], raw_reply: str) -> RequestOutput:
    """Return the model's output as a model, or raise InvalidOutputError."""
    try:
        output = RequestOutput.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as error:
        raise InvalidOutputError(
            f"The reply does not match the output schema: {_summary(error)}",
            reason="schema_mismatch",
            raw_reply=raw_reply,
        ) from None
    unstorable = _unstorable_number(output, OUTPUT_FIELDS)
    if unstorable is not None:
        name, number = unstorable
        raise InvalidOutputError(
            f"The reply does not match the output schema: {name}: the number "
            f"{number!r} cannot be stored (a record keeps {aws.NUMBER_LIMITS}).",
            reason="schema_mismatch",
            raw_reply=raw_reply,
        )
    problems = business_problems(output)
    if problems:
        raise InvalidOutputError(
            "The reply fails the business checks: " + "; ".join(problems),
            reason="business_check",
            raw_reply=raw_reply,
        )
    return output


def _summary(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc']) or 'reply'}: {detail['msg']}"
        for detail in error.errors()[:_MAX_PROBLEMS]
    )


def business_problems(output: RequestOutput) -> list[str]:
    """List what makes a schema-valid output unusable.

    The schema cannot say that a required text must not be blank, nor the
    client's rules: those from the discovery call that read as checks are
    checked in `rules`; write the others (rules.UNCHECKED_RULES) here.
    """
    problems = []
    for field in OUTPUT_FIELDS:
        value = getattr(output, field.name)
        if field.type == "string" and field.required and not value.strip():
            problems.append(f"{field.name} is blank")
        if field.type == "string_list" and value and not all(s.strip() for s in value):
            problems.append(f"{field.name} has a blank item")
    return problems + rules.problems(output.model_dump())
