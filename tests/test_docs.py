"""Generated documentation matches its sources."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))

import questions_doc


def test_questions_page_is_generated_from_copier_yml() -> None:
    committed = questions_doc.PAGE.read_text(encoding="utf-8")

    assert committed == questions_doc.page(), (
        "docs/questions.md is out of date; run `python hooks/questions_doc.py`."
    )


def test_every_asked_question_has_help_and_a_type() -> None:
    missing = [
        name
        for name, spec in questions_doc.questions().items()
        if spec.get("when", True) is not False
        and not ("help" in spec and "type" in spec)
    ]

    assert missing == []


SECRET_LIKE = ("key", "token", "password", "secret", "webhook", "credential")


def test_a_question_that_could_take_a_secret_is_asked_as_one() -> None:
    """copier keeps `secret: true` answers out of .copier-answers.yml."""
    for name, question in questions_doc.questions().items():
        words = set(name.split("_"))
        if words & set(SECRET_LIKE) and question.get("when") is not False:
            assert question.get("secret") is True, (
                f"{name} reads like a secret; mark it `secret: true` in copier.yml"
            )
