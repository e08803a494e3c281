"""Each example's rendered repository passes its own gates.

These run the rendered repository's tools from this environment, which
installs the same pins as the rendered pyproject.toml; one test also sets
the rendered repository up from scratch with its own `make setup`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
EXAMPLE_NAMES = [p.stem for p in EXAMPLES]


def gate_env() -> dict[str, str]:
    """This environment's tools first; no AWS profile or key leaks in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "ANTHROPIC_")) and k != "VIRTUAL_ENV"
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def run_gate(cwd: Path, *command: str, timeout: int = 600) -> str:
    """Run one gate; on failure show its whole output."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=gate_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return output


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_formatter_leaves_no_diff(
    rendered_examples: dict[str, Path], example: str
) -> None:
    run_gate(rendered_examples[example], str(BIN / "ruff"), "format", "--check", ".")


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_lint_is_clean(rendered_examples: dict[str, Path], example: str) -> None:
    run_gate(rendered_examples[example], str(BIN / "ruff"), "check", ".")


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_types_check(rendered_examples: dict[str, Path], example: str) -> None:
    run_gate(rendered_examples[example], str(BIN / "mypy"))


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_unit_tests_pass(rendered_examples: dict[str, Path], example: str) -> None:
    output = run_gate(
        rendered_examples[example],
        sys.executable,
        "-m",
        "pytest",
        "tests/unit",
        "-q",
        "-p",
        "no:cacheprovider",
    )

    assert " passed" in output and " failed" not in output


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_terraform_fmt_validate_and_test(
    rendered_examples: dict[str, Path], example: str
) -> None:
    run_gate(rendered_examples[example], sys.executable, "scripts/terraform_check.py")


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_emulator_deployment_observes_every_outcome(
    rendered_examples: dict[str, Path], example: str
) -> None:
    output = run_gate(
        rendered_examples[example],
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "emulator",
        "tests/integration",
        "-v",
        "-p",
        "no:cacheprovider",
        timeout=900,
    )

    for outcome in ("succeeded", "pending_retry", "quarantined", "failed"):
        assert outcome in output, f"no {outcome} test ran:\n{output}"


def test_fault_injection_soak_loses_nothing(
    rendered_examples: dict[str, Path],
) -> None:
    output = run_gate(
        rendered_examples["accounts-payable"],
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "soak",
        "tests/soak",
        "-q",
        "-p",
        "no:cacheprovider",
    )

    assert " passed" in output and " failed" not in output


def test_security_scan_has_no_failed_check(
    rendered_examples: dict[str, Path],
) -> None:
    """checkov from its own environment, as `make security-check` runs it."""
    run_gate(
        rendered_examples["support-triage"],
        sys.executable,
        "scripts/security_check.py",
        timeout=900,
    )


def test_fresh_setup_from_the_rendered_readme(
    rendered_examples: dict[str, Path], tmp_path: Path
) -> None:
    """`make setup lint types test` works in a copy with no .venv yet."""
    copy = tmp_path / "fresh"
    shutil.copytree(
        rendered_examples["support-triage"],
        copy,
        ignore=shutil.ignore_patterns(".venv*", "*_cache", "__pycache__"),
    )

    run_gate(copy, "make", "setup", "lint", "types", "test", timeout=900)
