"""Run the Terraform gates: fmt, then validate and test in every directory.

`terraform fmt -check` runs on infra/ itself. Validation and tests run on a
copy of infra/ in a temporary directory, so `terraform init` leaves no
.terraform directories or lock files in the working tree. Providers come
from a local mirror when the machine has one (see terraform_env.py), from
the registry otherwise. All directories share one provider cache in the
temporary directory, so the provider is unpacked once, not once per
directory. Exits non-zero if any gate fails, after running all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from terraform_env import terraform_env

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
LEFTOVERS = (".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*")


@dataclass(frozen=True)
class Result:
    """What one gate did."""

    name: str
    ok: bool
    seconds: float
    output: str


def terraform(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[bool, str]:
    """Run terraform with `args` in `cwd`; return success and its output."""
    completed = subprocess.run(
        ["terraform", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.returncode == 0, completed.stdout + completed.stderr


def check_directory(directory: Path, copy: Path, env: dict[str, str]) -> Result:
    """Init and validate one root or module, then run its tests if it has any."""
    started = time.monotonic()
    name = str(directory.relative_to(copy.parent))
    steps = [["init", "-backend=false", "-input=false", "-no-color"]]
    steps.append(["validate", "-no-color"])
    if any((directory / "tests").glob("*.tftest.hcl")):
        steps.append(["test", "-no-color"])

    outputs = []
    for args in steps:
        ok, output = terraform(args, directory, env)
        outputs.append(f"$ terraform {' '.join(args)}\n{output}")
        if not ok:
            return Result(name, False, time.monotonic() - started, "\n".join(outputs))
    return Result(name, True, time.monotonic() - started, "")


def directories(copy: Path) -> list[Path]:
    """The bootstrap root, every environment root and every module of the copy."""
    bootstrap = [copy / "bootstrap"] if (copy / "bootstrap").is_dir() else []
    roots = sorted(path for path in (copy / "envs").iterdir() if path.is_dir())
    modules = sorted(path for path in (copy / "modules").iterdir() if path.is_dir())
    return bootstrap + roots + modules


def check_format(env: dict[str, str]) -> Result:
    """terraform fmt -check on the working tree itself."""
    started = time.monotonic()
    ok, output = terraform(["fmt", "-check", "-recursive", "-diff"], INFRA, env)
    return Result("fmt", ok, time.monotonic() - started, output)


def report(result: Result) -> None:
    """Print one line per gate, and the whole output of a failed one."""
    verdict = "ok  " if result.ok else "FAIL"
    print(f"{verdict} {result.name} ({result.seconds:.0f} s)", flush=True)
    if not result.ok:
        print(result.output, flush=True)


def main() -> int:
    """Run every gate and return 0 only if all of them pass."""
    if shutil.which("terraform") is None:
        print(
            "terraform is not on PATH; install Terraform 1.10 or later "
            "(https://developer.hashicorp.com/terraform/install) and rerun.",
            file=sys.stderr,
        )
        return 2

    with tempfile.TemporaryDirectory(prefix="terraform-check-") as scratch:
        work = Path(scratch)
        env = terraform_env(work)
        cache = work / "plugin-cache"
        cache.mkdir()
        env["TF_PLUGIN_CACHE_DIR"] = str(cache)
        # The copies have no lock file, and without one Terraform installs
        # the provider into the cache again on every init instead of linking
        # it; parallel inits then replace files another init is reading.
        # The lock files of these throwaway copies are deleted with them.
        env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "true"
        results = [check_format(env)]
        report(results[0])

        copy = work / "infra"
        shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(*LEFTOVERS))
        # The first directory fills the provider cache alone: Terraform does
        # not promise that parallel inits can write one cache safely.
        first, *rest = directories(copy)
        results.append(check_directory(first, copy, env))
        report(results[-1])
        workers = max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            jobs = [
                pool.submit(check_directory, directory, copy, env) for directory in rest
            ]
            for job in jobs:
                results.append(job.result())
                report(results[-1])

    failed = [result.name for result in results if not result.ok]
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"All {len(results)} Terraform gates passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
