"""Render a client repository from a discovery answers file.

Copier's own command line prints a traceback when a data file holds an
answer that fails validation; this wrapper prints the validator's sentence
instead and renders nothing. Before copier sees the file it also catches
what copier would report without naming the question, or not at all: a key
that is no question (a typo would silently take the default) and an answer
of the wrong type.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from copier import run_copy

import questions_doc

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]


class RenderError(Exception):
    """A problem the user can fix, already phrased for them."""


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice instead of keeping the last."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                # `<<: *anchor`: its keys may be given again here, on purpose;
                # SafeLoader merges them below.
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                line = key_node.start_mark.line + 1
                msg = (
                    f"the key on line {line} is a list or a mapping; keys are "
                    "question names."
                )
                raise RenderError(msg)
            if key in seen:
                line = key_node.start_mark.line + 1
                msg = f'"{key}" is given twice (again on line {line}); keep one.'
                raise RenderError(msg)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_answers(path: Path) -> dict[str, Any]:
    """Read a discovery answers file, or say what is wrong with it."""
    try:
        answers = yaml.load(path.read_text(encoding="utf-8"), UniqueKeyLoader)  # noqa: S506
    except FileNotFoundError as error:
        msg = f'The answers file "{path}" does not exist; pass a file from examples/.'
        raise RenderError(msg) from error
    except IsADirectoryError as error:
        msg = f'The answers file "{path}" is a folder; pass a YAML file.'
        raise RenderError(msg) from error
    except UnicodeDecodeError as error:
        msg = f'The answers file "{path}" is not UTF-8 text; save it as UTF-8.'
        raise RenderError(msg) from error
    except RenderError as error:
        raise RenderError(f'In the answers file "{path}", {error}') from None
    except yaml.YAMLError as error:
        msg = f'The answers file "{path}" is not valid YAML: {error}'
        raise RenderError(msg) from error
    if not isinstance(answers, dict):
        msg = f'The answers file "{path}" must hold a mapping of question: answer.'
        raise RenderError(msg)
    return answers


# What a YAML answer must be for each question type of copier.yml, and how
# to say it. yaml answers take any shape; their validators check it.
EXPECTED = {
    "int": ("a whole number", "1500"),
    "float": ("a number", "2.5"),
    "bool": ("true or false", "true"),
    "str": ("text", "Northwind Traders"),
}


def has_type(value: Any, kind: str, *, multiselect: bool = False) -> bool:
    """Whether a YAML value is an answer of this question type."""
    if multiselect:
        return isinstance(value, list) and all(has_type(v, kind) for v in value)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        # A number typed as a name (project_name: 2024) is fine as text.
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    return True


def check_answers(answers: dict[str, Any], path: Path) -> None:
    """Refuse keys that are no question and answers of the wrong type."""
    known = questions_doc.questions()
    for key, value in answers.items():
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f'did you mean "{close[0]}"?' if close else "see docs/questions.md."
            msg = f'"{key}" in {path} is not a question of this template; {hint}'
            raise RenderError(msg)
        question = known[key]
        if question.get("when") is False:
            msg = (
                f"{key} in {path} is computed from the other answers, not asked;"
                " delete the line."
            )
            raise RenderError(msg)
        kind = question.get("type", "yaml")
        multiselect = bool(question.get("multiselect"))
        if value is None:
            msg = (
                f"{key} in {path} is empty; type an answer, or delete the line"
                " to take the default."
            )
            raise RenderError(msg)
        if not has_type(value, kind, multiselect=multiselect):
            what, example = EXPECTED[kind]
            if multiselect:
                what, example = f"a YAML list of {what}", str(question["default"])
            msg = (
                f'{key} in {path} is "{value}", which is not {what}; type'
                f" {what}, for example {example}."
            )
            raise RenderError(msg)


def uncommitted_changes() -> list[str]:
    """The template checkout's changed and untracked files, as git lists them."""
    listed = subprocess.run(
        ["git", "-C", str(TEMPLATE_ROOT), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=False,
    )
    return listed.stdout.splitlines()


def ignored(path: Path) -> bool:
    """Whether git ignores `path` in the template checkout (build/ is)."""
    checked = subprocess.run(
        ["git", "-C", str(TEMPLATE_ROOT), "check-ignore", "-q", str(path.resolve())],
        capture_output=True,
        check=False,
    )
    return checked.returncode == 0


def unchecked_rules(destination: Path) -> list[str]:
    """The rendered service's business rules that only the model is told.

    The rendered rules module decides which sentences read as checks, so
    it is asked; an error there leaves the list empty (the rendered tests
    report it).
    """
    package = next((p.parent.name for p in destination.glob("src/*/rules.py")), "")
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json; from {package} import rules; "
            "print(json.dumps(rules.UNCHECKED_RULES))",
        ],
        cwd=destination / "src",
        capture_output=True,
        text=True,
        check=False,
    )
    if not package or listed.returncode != 0:
        return []
    return [str(rule) for rule in json.loads(listed.stdout)]


def render(answers_file: Path, destination: Path, allow_dirty: bool = False) -> Path:
    """Render the template at this checkout's HEAD into an empty destination.

    Uncommitted changes are refused unless allowed: copier would render them
    and record a commit made up for the occasion, which no later `copier
    update` can find.
    """
    if destination.resolve().is_relative_to(TEMPLATE_ROOT / "template"):
        msg = (
            f'The destination "{destination}" is inside the template, which would '
            "ship it in every later render; pass a folder outside "
            f"{TEMPLATE_ROOT / 'template'}."
        )
        raise RenderError(msg)
    if destination.resolve().is_relative_to(TEMPLATE_ROOT) and not ignored(destination):
        msg = (
            f'The destination "{destination}" is inside the template checkout, '
            "where it would count as an uncommitted change to every later render; "
            "pass a folder under build/ or outside the checkout."
        )
        raise RenderError(msg)
    changed = uncommitted_changes()
    if changed and not allow_dirty:
        msg = (
            f"The template checkout {TEMPLATE_ROOT} has uncommitted changes "
            f"({len(changed)} file(s), e.g. {changed[0].strip()}); a repository "
            "rendered from them could never be updated. Commit them first, or "
            "pass --allow-dirty for a throwaway render."
        )
        raise RenderError(msg)
    if destination.exists() and not destination.is_dir():
        msg = f'The destination "{destination}" is a file; pass a folder.'
        raise RenderError(msg)
    if destination.exists() and any(destination.iterdir()):
        msg = (
            f'The destination "{destination}" is not empty; remove it or pass'
            " another folder."
        )
        raise RenderError(msg)
    answers = load_answers(answers_file)
    check_answers(answers, answers_file)
    try:
        run_copy(
            str(TEMPLATE_ROOT),
            destination,
            data=answers,
            defaults=True,
            vcs_ref="HEAD",
            quiet=True,
        )
    except ValueError as error:
        # copier raises ValueError("Validation error for question ...") with
        # the validator's own sentence; that sentence is the message.
        raise RenderError(str(error)) from error
    except OSError as error:
        msg = (
            f'Could not write "{destination}" ({error.strerror}); pass a folder'
            " you can write."
        )
        raise RenderError(msg) from error
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path, help="discovery answers (YAML)")
    parser.add_argument("destination", type=Path, help="an empty or new folder")
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="render uncommitted template changes (the result cannot be updated)",
    )
    args = parser.parse_args(argv)
    try:
        rendered = render(args.answers, args.destination, args.allow_dirty)
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Rendered {rendered}. Next: cd {rendered} && make setup check")
    unchecked = unchecked_rules(rendered)
    if unchecked:
        print(
            f"{len(unchecked)} business rule(s) are told to the model but not "
            "checked in code, since they read as no check rules.py knows; write "
            "their checks in validation.business_problems:"
        )
        print("\n".join(f"- {rule}" for rule in unchecked))
    return 0


if __name__ == "__main__":
    sys.exit(main())
