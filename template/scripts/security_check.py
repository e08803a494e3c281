"""Scan infra/ with checkov, offline, in a virtual environment of its own.

checkov pins its own versions of boto3 and other libraries, so it is kept
out of the project's environment: the first run creates `.venv-checkov` in
the repository root and installs the pinned checkov into it (that step needs
the package index); later runs reuse it. The scan itself makes no network
call: no Bridgecrew/Prisma platform, no guideline download, no package scan.

    python scripts/security_check.py            # scan, exit 1 on any failed check
    python scripts/security_check.py --venv DIR # keep checkov elsewhere

Every accepted finding is skipped where it occurs, with its reason, as
`#checkov:skip=<check id>:<reason>`; this script adds no skips of its own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKOV_VERSION = "3.3.30"
DEFAULT_VENV = ROOT / ".venv-checkov"


def venv_python(directory: Path) -> Path:
    """The interpreter of the virtual environment at `directory`."""
    scripts = "Scripts" if os.name == "nt" else "bin"
    return directory / scripts / ("python.exe" if os.name == "nt" else "python")


def installed_version(python: Path) -> str | None:
    """The checkov version installed for `python`, or None."""
    if not python.exists():
        return None
    completed = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(m.version('checkov'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() if completed.returncode == 0 else None


def ensure_checkov(directory: Path) -> Path:
    """Create the virtual environment and install checkov if either is missing."""
    python = venv_python(directory)
    if installed_version(python) == CHECKOV_VERSION:
        return python
    if not python.exists():
        print(f"Creating {directory} for checkov {CHECKOV_VERSION} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(directory)
    print(f"Installing checkov=={CHECKOV_VERSION} into {directory} ...", flush=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"checkov=={CHECKOV_VERSION}"],
        check=True,
    )
    return python


def scan_env() -> dict[str, str]:
    """An environment in which checkov stays offline."""
    env = dict(os.environ)
    env.update(
        {
            # Use the check ids bundled with checkov; do not fetch the mapping.
            "BC_SKIP_MAPPING": "TRUE",
            # No software-composition scan, which would query a vulnerability service.
            "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
            "CHECKOV_RUN_SCA_PACKAGE_SCAN": "false",
            # No telemetry or version check.
            "CHECKOV_TELEMETRY_DISABLED": "true",
            # Only errors: the override file of infra/envs/local has a module
            # block without a source by design, which checkov warns about.
            "LOG_LEVEL": "ERROR",
        }
    )
    env.pop("BC_API_KEY", None)
    env.pop("PRISMA_API_URL", None)
    return env


def main(argv: list[str] | None = None) -> int:
    """Scan infra/ and return checkov's exit code (0 only with no failed check)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--venv", type=Path, default=DEFAULT_VENV, help="where checkov is kept"
    )
    args = parser.parse_args(argv)

    try:
        python = ensure_checkov(args.venv.resolve())
    except (OSError, subprocess.CalledProcessError) as error:
        print(
            f"Could not install checkov {CHECKOV_VERSION} into {args.venv}: {error}. "
            "It needs the package index once; rerun with network access, or pass "
            "--venv pointing at an environment that has it.",
            file=sys.stderr,
        )
        return 2

    command = [
        str(python),
        "-m",
        "checkov.main",
        "--directory",
        str(ROOT / "infra"),
        "--framework",
        "terraform",
        "--quiet",
        "--compact",
        # Keep everything local: no platform, no guideline or module downloads.
        "--skip-download",
        "--download-external-modules",
        "false",
    ]
    return subprocess.run(command, env=scan_env(), cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
