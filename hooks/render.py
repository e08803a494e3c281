"""Render a client repository from a discovery answers file.

Copier's own command line prints a traceback when a data file holds an
answer that fails validation; this wrapper prints the validator's sentence
instead and renders nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from copier import run_copy

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]


class RenderError(Exception):
    """A problem the user can fix, already phrased for them."""


def load_answers(path: Path) -> dict[str, Any]:
    """Read a discovery answers file, or say what is wrong with it."""
    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        msg = f'The answers file "{path}" does not exist; pass a file from examples/.'
        raise RenderError(msg) from error
    except yaml.YAMLError as error:
        msg = f'The answers file "{path}" is not valid YAML: {error}'
        raise RenderError(msg) from error
    if not isinstance(answers, dict):
        msg = f'The answers file "{path}" must hold a mapping of question: answer.'
        raise RenderError(msg)
    return answers


def render(answers_file: Path, destination: Path) -> Path:
    """Render the template at this checkout's HEAD into an empty destination."""
    if destination.exists() and any(destination.iterdir()):
        msg = (
            f'The destination "{destination}" is not empty; remove it or pass'
            " another folder."
        )
        raise RenderError(msg)
    answers = load_answers(answers_file)
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
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path, help="discovery answers (YAML)")
    parser.add_argument("destination", type=Path, help="an empty or new folder")
    args = parser.parse_args(argv)
    try:
        rendered = render(args.answers, args.destination)
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Rendered {rendered}. Next: cd {rendered} && make setup check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
