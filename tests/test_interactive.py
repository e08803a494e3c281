"""A person answers the questionnaire in a real terminal.

copier draws its prompts with prompt_toolkit, which needs a terminal; the
test runs `copier copy` in a pseudo-terminal, answers a few questions by
typing, accepts the offered default for the rest, and checks the result.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from conftest import TEMPLATE_ROOT

COPIER = str(Path(sys.executable).parent / "copier")
CLEAR_LINE = "\x15"  # Ctrl-U: drop the offered default before typing
SUBMIT_MULTILINE = "\x1b\r"  # Esc, Enter: how a multi-line prompt is finished
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
QUESTION = r"🎤(?:\x1b\[[0-9;]*m)* ([^\r\n]+)"  # colour codes follow the glyph
PROMPT_READY = "\x1b[?7h"  # prompt_toolkit ends each finished drawing with this
# A terminal that says it cannot report the cursor position, so
# prompt_toolkit does not wait for a reply to each position request.
TERMINAL = {"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "PYTHONWARNINGS": "ignore"}

# First words of a question's help text, and what the person types.
TYPED = {
    "Who is the client?": CLEAR_LINE + "Pty Logistics AG\r",
    "What do you call this automation?": CLEAR_LINE + "Delivery Notes\r",
    "Which manual process does this replace?": SUBMIT_MULTILINE,
    "Which AWS region": CLEAR_LINE + "eu-central-1\r",
}


def answer_for(question: str) -> str:
    for start, keys in TYPED.items():
        if question.startswith(start):
            return keys
    return "\r"


def test_questionnaire_in_a_terminal(tmp_path: Path) -> None:
    destination = tmp_path / "from-terminal"
    child = pexpect.spawn(
        COPIER,
        ["copy", "--vcs-ref", "HEAD", str(TEMPLATE_ROOT), str(destination)],
        env={**os.environ, **TERMINAL},
        encoding="utf-8",
        dimensions=(50, 200),
        timeout=30,
    )
    answered: list[str] = []

    while True:
        event = child.expect([QUESTION, pexpect.EOF])
        if event == 1:
            break
        question = ANSI.sub("", child.match.group(1)).strip()
        if question in answered:
            continue  # prompt_toolkit redraws an answered question once
        answered.append(question)
        child.expect_exact(PROMPT_READY)
        child.send(answer_for(question))
    # The terminal reaches EOF a moment before copier exits; closing at once
    # would kill a copier still finishing (exit status None on a busy machine).
    child.wait()
    child.close()

    assert child.exitstatus == 0, child.before
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["client_name"] == "Pty Logistics AG"
    assert answers["project_slug"] == "delivery-notes"
    assert answers["package_name"] == "delivery_notes"
    assert answers["aws_region"] == "eu-central-1"
    assert (destination / "docs/discovery.md").is_file()
    assert len(answered) >= 40, answered


@pytest.mark.parametrize("keys", ["eu-middle-9\r"])
def test_terminal_rejects_a_bad_answer_and_asks_again(
    tmp_path: Path, keys: str
) -> None:
    child = pexpect.spawn(
        COPIER,
        ["copy", "--vcs-ref", "HEAD", str(TEMPLATE_ROOT), str(tmp_path / "out")],
        env={**os.environ, **TERMINAL},
        encoding="utf-8",
        dimensions=(50, 200),
        timeout=30,
    )
    answered: list[str] = []

    while True:
        child.expect(QUESTION)
        question = ANSI.sub("", child.match.group(1)).strip()
        if question in answered:
            continue
        answered.append(question)
        child.expect_exact(PROMPT_READY)
        if question.startswith("Which AWS region"):
            child.send(CLEAR_LINE + keys)
            break
        child.send(answer_for(question))

    child.expect("is not an AWS region this template deploys to")
    child.terminate(force=True)
