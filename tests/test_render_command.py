"""`make render` (hooks/render.py): one sentence for a bad answers file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))

import render
from conftest import load_example


def run(tmp_path: Path, answers: Any) -> tuple[int, str, Path]:
    """Write `answers` to a file, run the command, return code, stderr, dest."""
    path = tmp_path / "discovery.yml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    destination = tmp_path / "out"
    code = render.main([str(path), str(destination)])
    return code, str(path), destination


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"clinet_name": "Typo Corp"},
            '"clinet_name" in {path} is not a question of this template; did you'
            ' mean "client_name"?',
        ),
        (
            {"volume_per_day": "many"},
            'volume_per_day in {path} is "many", which is not a whole number; type'
            " a whole number, for example 1500.",
        ),
        (
            {"slo_availability_percent": "99.9%"},
            'slo_availability_percent in {path} is "99.9%", which is not a number;'
            " type a number, for example 2.5.",
        ),
        (
            {"environments": "prod"},
            'environments in {path} is "prod", which is not a YAML list of text;'
            " type a YAML list of text, for example ['staging', 'prod'].",
        ),
        (
            {"project_slug": None},
            "project_slug in {path} is empty; type an answer, or delete the line"
            " to take the default.",
        ),
        (
            {"snapstart": "yes please"},
            'snapstart in {path} is "yes please", which is not true or false; type'
            " true or false, for example true.",
        ),
        (
            {"function_timeout_seconds": 900},
            "function_timeout_seconds in {path} is computed from the other answers,"
            " not asked; delete the line.",
        ),
        (
            {"aws_region": "eu-middle-9"},
            "Validation error for question 'aws_region': \"eu-middle-9\" is not an"
            " AWS region this template deploys to",
        ),
    ],
    ids=["typo", "int", "float", "multiselect", "null", "bool", "derived", "validator"],
)
def test_bad_answers_file_gets_one_sentence(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, Any],
    message: str,
) -> None:
    code, path, destination = run(tmp_path, load_example("support-triage") | changes)

    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith("error: " + message.format(path=path))
    assert "Traceback" not in error
    assert not destination.exists()


def test_good_answers_file_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, destination = run(tmp_path, load_example("support-triage"))

    assert code == 0, capsys.readouterr().err
    assert (destination / ".copier-answers.yml").is_file()


@pytest.mark.parametrize(
    ("appended", "problem"),
    [
        ("client_name: Again\n", '"client_name" is given twice'),
        ("? [a, b]\n: 1\n", "is a list or a mapping; keys are question names."),
    ],
    ids=["given-twice", "list-as-key"],
)
def test_a_bad_key_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], appended: str, problem: str
) -> None:
    path = tmp_path / "discovery.yml"
    text = yaml.safe_dump(load_example("support-triage"))
    path.write_text(text + appended, encoding="utf-8")

    code = render.main([str(path), str(tmp_path / "out")])

    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith(f'error: In the answers file "{path}", ')
    assert problem in error
    assert "Traceback" not in error


@pytest.mark.parametrize("kind", ["folder", "not-utf8"])
def test_an_unreadable_answers_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = tmp_path / "discovery.yml"
    if kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"client_name: \xff\n")

    code = render.main([str(path), str(tmp_path / "out")])

    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith(f'error: The answers file "{path}" is ')
    assert "Traceback" not in error


def test_yaml_merge_keys_are_read_as_yaml_reads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A field written once with an anchor, and reused under another name.
    answers = load_example("support-triage")
    lines = ["output_fields:"]
    lines += [f"- {json.dumps(field)}" for field in answers.pop("output_fields")]
    lines += [
        '- &note {"name": "agent_note", "type": "string", "required": false, '
        '"description": "A note for the agents."}',
        "- <<: *note",
        "  name: customer_note",
        "  description: A note for the customer.",
    ]
    text = yaml.safe_dump(answers) + "\n".join(lines) + "\n"
    path = tmp_path / "discovery.yml"
    path.write_text(text, encoding="utf-8")

    assert render.load_answers(path) == yaml.safe_load(text)
    code = render.main([str(path), str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err


def test_uncommitted_template_changes_are_refused_unless_allowed(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(render, "uncommitted_changes", lambda: [" M copier.yml"])
    path = tmp_path / "discovery.yml"
    path.write_text(yaml.safe_dump(load_example("support-triage")), encoding="utf-8")

    code = render.main([str(path), str(tmp_path / "out")])

    assert code == 2
    assert capsys.readouterr().err == (
        f"error: The template checkout {render.TEMPLATE_ROOT} has uncommitted "
        "changes (1 file(s), e.g. M copier.yml); a repository rendered from them "
        "could never be updated. Commit them first, or pass --allow-dirty for a "
        "throwaway render.\n"
    )
    assert not (tmp_path / "out").exists()


def test_rules_told_to_the_model_only_are_listed_after_the_render(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = load_example("support-triage")
    answers["business_rules"] = [
        *answers["business_rules"],
        "The reply never promises a refund.",
    ]

    code, _, _ = run(tmp_path, answers)

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[1:] == [
        "1 business rule(s) are told to the model but not checked in code, since "
        "they read as no check rules.py knows; write their checks in "
        "validation.business_problems:",
        "- The reply never promises a refund.",
    ]


@pytest.mark.parametrize(
    ("inside", "problem"),
    [
        ("template/client", "is inside the template, which would ship it"),
        ("client-render", "is inside the template checkout, where it would count"),
    ],
    ids=["in-the-template", "in-the-checkout-outside-build"],
)
def test_a_destination_a_later_render_would_see_is_refused(
    capsys: pytest.CaptureFixture[str], inside: str, problem: str
) -> None:
    destination = render.TEMPLATE_ROOT / inside
    example = render.TEMPLATE_ROOT / "examples" / "support-triage.yml"

    code = render.main([str(example), str(destination)])

    assert code == 2
    assert capsys.readouterr().err.startswith(
        f'error: The destination "{destination}" {problem}'
    )
    assert not destination.exists()
