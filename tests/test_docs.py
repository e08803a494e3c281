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
