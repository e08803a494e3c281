"""The answered input and output fields, read from fields.json.

The descriptions and choices are free text from the discovery call. They live
in a JSON file rather than in Python literals so that any text is safe; the
schema module, the request validation and the tests all read them from here.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

FieldType = Literal["string", "integer", "number", "boolean", "date", "string_list"]

_FIELDS_FILE = Path(__file__).with_name("fields.json")


@dataclass(frozen=True)
class FieldSpec:
    """One answered field: what it is called, holds and must look like."""

    name: str
    type: FieldType
    required: bool
    description: str
    choices: tuple[str, ...] = ()

    @property
    def expectation(self) -> str:
        """Say in words what a valid value looks like, for error messages."""
        if self.choices:
            return "one of " + ", ".join(json.dumps(c) for c in self.choices)
        return _EXPECTATIONS[self.type]


_EXPECTATIONS: dict[FieldType, str] = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": 'a date written YYYY-MM-DD, such as "2024-05-31"',
    "string_list": "a list of strings",
}


def _spec(raw: dict[str, Any]) -> FieldSpec:
    # The questionnaire treats a missing `required` as false, like the
    # API Gateway request model does; choices may be YAML numbers.
    return FieldSpec(
        name=str(raw["name"]),
        type=cast(FieldType, raw["type"]),
        required=bool(raw.get("required", False)),
        description=str(raw["description"]).strip(),
        choices=tuple(str(choice) for choice in raw.get("choices") or ()),
    )


_ANSWERED: dict[str, Any] = json.loads(_FIELDS_FILE.read_text(encoding="utf-8"))
INPUT_FIELDS = tuple(_spec(raw) for raw in _ANSWERED["input_fields"])
OUTPUT_FIELDS = tuple(_spec(raw) for raw in _ANSWERED["output_fields"])
# The business rules as answered, a sentence each; rules.py checks those
# that read as checks.
BUSINESS_RULES = tuple(
    str(rule).strip() for rule in _ANSWERED.get("business_rules", [])
)


def descriptions(fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    """Map each field name to its description."""
    return {field.name: field.description for field in fields}
