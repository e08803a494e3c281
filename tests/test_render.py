"""Rendering: what lands in a client repository and what must not."""

from __future__ import annotations

import json
import py_compile
import re
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy

from conftest import EXAMPLES, TEMPLATE_ROOT, load_example, render

TEMPLATE_ONLY = ["copier.yml", "hooks", "examples", "docs/rendered-contract.md"]
BIN = Path(sys.executable).parent  # the tools installed beside this Python
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#")


def rendered_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_example_renders_without_template_leftovers(
    rendered_examples: dict[str, Path], example: str
) -> None:
    root = rendered_examples[example]

    files = rendered_files(root)

    assert not [p for p in files if p.suffix == ".jinja"]
    assert not [name for name in TEMPLATE_ONLY if (root / name).exists()]
    leftovers = [
        str(p.relative_to(root))
        for p in files
        if JINJA_LEFTOVER.search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert leftovers == []


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_answers_file_records_the_discovery(
    rendered_examples: dict[str, Path], example: str
) -> None:
    answers = yaml.safe_load(
        (rendered_examples[example] / ".copier-answers.yml").read_text()
    )

    for question, answer in load_example(example).items():
        assert answers[question] == answer, question


def test_github_expressions_survive_rendering(
    rendered_examples: dict[str, Path],
) -> None:
    workflow = (
        rendered_examples["accounts-payable"] / ".github/workflows/ci.yml"
    ).read_text()

    assert "group: ci-${{ github.workflow }}-${{ github.ref }}" in workflow


def test_rendered_workflows_pass_actionlint_and_zizmor(
    rendered_examples: dict[str, Path],
) -> None:
    root = rendered_examples["support-triage"]
    workflows = sorted(str(p) for p in (root / ".github/workflows").glob("*.yml"))
    assert workflows

    actionlint = subprocess.run(
        [str(BIN / "actionlint"), *workflows],
        capture_output=True,
        text=True,
        check=False,
    )
    zizmor = subprocess.run(
        [str(BIN / "zizmor"), "--offline", *workflows],
        capture_output=True,
        text=True,
        check=False,
    )

    assert actionlint.returncode == 0, actionlint.stdout + actionlint.stderr
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr


TFVARS_NAME = re.compile(r"^(\w+)\s*=", re.MULTILINE)
VARIABLE_NAME = re.compile(r'^variable "(\w+)"', re.MULTILINE)


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_each_aws_root_ships_a_committed_tfvars_of_its_own_variables(
    rendered_examples: dict[str, Path], environment: str, tmp_path: Path
) -> None:
    """CI reads the same one-off inputs only if the file is in git."""
    root = rendered_examples["accounts-payable"]
    env_dir = root / "infra" / "envs" / environment
    tfvars = (env_dir / "terraform.tfvars").read_text(encoding="utf-8")
    declared = set(VARIABLE_NAME.findall((env_dir / "variables.tf").read_text()))

    assert set(TFVARS_NAME.findall(tfvars)) == {
        "manage_api_gateway_account_role",
        "existing_github_oidc_provider_arn",
        "state_bucket_name",
    }
    assert set(TFVARS_NAME.findall(tfvars)) <= declared

    repo = tmp_path / "repo"
    relative = Path("infra", "envs", environment, "terraform.tfvars")
    (repo / relative).parent.mkdir(parents=True)
    (repo / relative).write_text(tfvars, encoding="utf-8")
    (repo / ".gitignore").write_text((root / ".gitignore").read_text())
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(relative)], cwd=repo, check=False
    )
    assert ignored.returncode == 1, f"{relative} is ignored by .gitignore"


TRICKY_TEXT = 'Says "{{ total }}", ${{ secrets.KEY }}, ${var.x} and %{ if } \\ ünï'


# Beyond the Basic Multilingual Plane too: JSON would escape the receipt
# emoji as a surrogate pair, which TOML and HCL do not accept.
CLIENT_NAME = "Ünïcode & Söns 🧾 {{ not jinja }}"


def tricky_answers() -> dict[str, Any]:
    answers = load_example("support-triage")
    answers["client_name"] = CLIENT_NAME
    answers["process_description"] = f"An agent reads a ticket. {TRICKY_TEXT}"
    answers["output_fields"] = [
        {**field, "description": f"{field['description']} {TRICKY_TEXT}"}
        for field in answers["output_fields"]
    ]
    return answers


def test_answer_text_with_template_syntax_stays_literal(tmp_path: Path) -> None:
    root = render(tmp_path / "tricky", tricky_answers())

    everything = "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in rendered_files(root)
    )
    for path in rendered_files(root):
        if path.suffix == ".py":
            py_compile.compile(str(path), doraise=True)
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(path.read_text(encoding="utf-8"))

    assert CLIENT_NAME in everything
    # The answers file holds every answer anyway; the prompt and the README
    # are where a re-rendered or escaped text would show.
    assert TRICKY_TEXT in (root / "prompts/system.md").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert CLIENT_NAME in readme
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"].endswith(f" for {CLIENT_NAME}")


def requirement_names(requirements: list[str]) -> set[str]:
    return {req.split(";")[0].strip().lower() for req in requirements}


def test_template_test_environment_pins_what_the_rendered_repo_pins(
    rendered_examples: dict[str, Path],
) -> None:
    """The rendered gates run from this environment, so its pins must match."""
    rendered = tomllib.loads(
        (rendered_examples["accounts-payable"] / "pyproject.toml").read_text()
    )["project"]
    ours = tomllib.loads((TEMPLATE_ROOT / "pyproject.toml").read_text())["project"]

    wanted = requirement_names(
        rendered["dependencies"] + rendered["optional-dependencies"]["dev"]
    )
    have = requirement_names(ours["optional-dependencies"]["test"])
    assert wanted - have == set()


def test_defaults_render_without_questions(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Dirty template changes")
        run_copy(
            str(TEMPLATE_ROOT),
            tmp_path / "defaults",
            defaults=True,
            vcs_ref="HEAD",
            quiet=True,
        )

    answers = yaml.safe_load((tmp_path / "defaults/.copier-answers.yml").read_text())
    assert answers["project_slug"] == "document-summary"


def test_choice_fields_whose_names_collide_get_distinct_types(tmp_path: Path) -> None:
    # a__b and a_b both read as OutputAB; choice3 as OutputChoice3, the name a
    # numbered fallback once took, so two fields shared one Literal.
    def choice(name: str, *values: str) -> dict[str, Any]:
        return {
            "name": name,
            "type": "string",
            "required": True,
            "description": f"The {name}.",
            "choices": list(values),
        }

    answers = load_example("support-triage") | {
        "output_fields": [
            choice("choice3", "x", "y"),
            choice("a_b", "p", "q"),
            choice("a__b", "m", "n"),
        ],
        "business_rules": [],
    }
    root = render(tmp_path / "out", answers)
    schema = (root / "src/helio_support_triage/schema.py").read_text(encoding="utf-8")

    aliases = re.findall(r"^(\w+) = Literal\[", schema, re.M)
    assert len(aliases) == len(set(aliases)) == 3
    for field, values in (("choice3", '"x",'), ("a_b", '"p",'), ("a__b", '"m",')):
        alias = re.search(rf"^    {field}: (\w+) = Field", schema, re.M)
        assert alias is not None
        assert values in schema.split(f"{alias.group(1)} = Literal[")[1].split("]")[0]


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_every_business_rule_of_the_examples_is_checked_in_code(
    rendered_examples: dict[str, Path], example: str
) -> None:
    # The examples show what a rule the service can check looks like; each
    # of theirs must read as a check, not fall back to the model alone.
    root = rendered_examples[example]
    package = next(p.parent.name for p in (root / "src").glob("*/rules.py"))
    code = (
        f"from {package} import rules; "
        "print(len(rules.CHECKED_RULES), list(rules.UNCHECKED_RULES))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root / "src",
        capture_output=True,
        text=True,
        check=True,
    )

    rules_answered = load_example(example)["business_rules"]
    assert ran.stdout.split(maxsplit=1) == [str(len(rules_answered)), "[]\n"]
