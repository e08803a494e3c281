"""Shared fixtures: render the template from this checkout into tmp dirs."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((TEMPLATE_ROOT / "examples").glob("*.yml"))


def load_example(name: str) -> dict[str, Any]:
    """Answers of a shipped example discovery, by file stem."""
    path = TEMPLATE_ROOT / "examples" / f"{name}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def render(destination: Path, answers: dict[str, Any]) -> Path:
    """Render HEAD plus uncommitted changes, validating every answer."""
    with warnings.catch_warnings():
        # Rendering from a working tree with uncommitted edits is the point
        # of these tests, not something to warn about.
        warnings.filterwarnings("ignore", message="Dirty template changes")
        run_copy(
            str(TEMPLATE_ROOT),
            destination,
            data=answers,
            defaults=True,
            vcs_ref="HEAD",
            quiet=True,
        )
    return destination


@pytest.fixture(scope="session")
def rendered_examples(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    """Every shipped example, rendered once per test session."""
    root = tmp_path_factory.mktemp("examples")
    return {
        path.stem: render(root / path.stem, load_example(path.stem))
        for path in EXAMPLES
    }
