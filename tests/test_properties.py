"""Any valid answers render a repository that passes the fast gates.

Hypothesis generates answers a consultant could type (hyphens and digits in
names, unicode client names, long descriptions, text that looks like Jinja,
GitHub or Terraform expressions); every render must stay formatted, lint
clean, compilable and parseable.
"""

from __future__ import annotations

import json
import keyword
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import load_example, render

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
RESERVED = {
    *("request_id", "status", "idempotency_key", "schema", "json", "copy"),
    *("dict", "datetime", "date", "str", "int", "float", "bool", "list"),
    *("construct", "validate", "from_orm", "parse_obj", "parse_raw"),
    *("parse_file", "schema_json", "update_forward_refs", "fields", "mro"),
    *("register",),
}
TRICKY = st.sampled_from(
    ["{{ x }}", "${{ secrets.X }}", "${var.y}", "%{ if }", '"', "\\"]
)
PLAIN_TEXT = st.text(
    st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="\x00"),
    min_size=1,
    max_size=60,
)
TEXT = st.lists(st.one_of(PLAIN_TEXT, TRICKY), min_size=1, max_size=6).map(" ".join)

FIELD_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,47}", fullmatch=True).filter(
    lambda n: (
        not keyword.iskeyword(n) and n not in RESERVED and not n.startswith("model_")
    )
)


@st.composite
def fields(draw: st.DrawFn, *, min_size: int) -> list[dict[str, Any]]:
    names = draw(st.lists(FIELD_NAMES, min_size=min_size, max_size=6, unique=True))
    result = []
    for name in names:
        field_type = draw(
            st.sampled_from(
                ["string", "integer", "number", "boolean", "date", "string_list"]
            )
        )
        field: dict[str, Any] = {
            "name": name,
            "type": field_type,
            "required": draw(st.booleans()),
            "description": draw(TEXT).strip() or "A field.",
        }
        if field_type == "string" and draw(st.booleans()):
            field["choices"] = draw(
                st.lists(
                    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,15}", fullmatch=True),
                    min_size=2,
                    max_size=5,
                    # Choices that differ only in case are refused on purpose.
                    unique_by=str.lower,
                )
            )
        result.append(field)
    return result


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    base = load_example("support-triage")
    base["client_name"] = draw(TEXT).strip()[:80] or "Client"
    base["project_name"] = draw(
        st.from_regex(r"[A-Za-z][A-Za-z0-9 -]{2,30}[A-Za-z0-9]", fullmatch=True).filter(
            lambda name: (
                not keyword.iskeyword(
                    re.sub("[^a-z0-9]+", "_", name.lower()).strip("_")
                )
            )
        )
    )
    base.pop("project_slug")
    base.pop("github_repository")
    base["process_description"] = "A person does this by hand. " + draw(TEXT)
    base["input_fields"] = draw(fields(min_size=1))
    base["output_fields"] = draw(fields(min_size=1))
    # A rule is a non-blank sentence of at most 300 characters.
    rules = st.lists(TEXT.map(lambda t: t.strip()[:300]).filter(bool), max_size=3)
    base["business_rules"] = draw(rules)
    return base


def assert_fast_gates(root: Path) -> None:
    for command in (
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "ruff"), "check", "."],
        [shutil.which("terraform") or "terraform", "fmt", "-check", "-recursive"],
    ):
        result = subprocess.run(
            command, cwd=root, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    for path in root.rglob("*"):
        if path.suffix == ".py":
            py_compile.compile(str(path), doraise=True)
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(path.read_text(encoding="utf-8"))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(answers())
def test_any_valid_answers_pass_the_fast_gates(generated: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = render(Path(tmp) / "repo", generated)

        assert_fast_gates(root)


@pytest.mark.parametrize("example", ["accounts-payable", "support-triage"])
def test_longest_names_pass_the_fast_gates(tmp_path: Path, example: str) -> None:
    """Names at their validators' limits still render formatted code."""
    answers = load_example(example)
    answers["project_slug"] = "a" + "-b" * 14 + "c"
    answers["package_name"] = "p" * 40

    root = render(tmp_path / "repo", answers)

    assert_fast_gates(root)
