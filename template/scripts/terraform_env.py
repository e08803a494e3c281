"""Give Terraform a local provider mirror when this machine has one.

Build machines without registry access keep hashicorp providers in a
filesystem mirror. This module finds one and writes a CLI configuration that
installs hashicorp providers from it; elsewhere Terraform's normal registry
install is left alone. Use it as a library (`terraform_env`) or run a
command with it:

    python scripts/terraform_env.py terraform -chdir=infra/envs/local init
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path

MIRROR_ENV_VAR = "TF_PROVIDER_MIRROR"
PROVIDER_DIR = Path("registry.terraform.io", "hashicorp", "aws")
MIRRORED_PROVIDERS = "registry.terraform.io/hashicorp/*"

# How many directory levels below each search root a mirror may sit, so a
# search never walks a whole file system.
SEARCH_DEPTH = 4


def implicit_mirror_dirs(home: Path) -> list[Path]:
    """Directories Terraform itself searches for providers on Unix."""
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [
        home / ".terraform.d" / "plugins",
        data_home / "terraform" / "plugins",
        *(Path(d) / "terraform" / "plugins" for d in data_dirs.split(":") if d),
    ]


def search_roots(home: Path) -> list[Path]:
    """Where provider mirrors are commonly unpacked."""
    return [
        Path("/opt"),
        Path("/usr/local/share"),
        Path("/usr/share"),
        home / ".terraform.d",
        home / ".local" / "share",
    ]


def is_mirror(path: Path) -> bool:
    """Whether `path` holds hashicorp/aws in a mirror layout."""
    return (path / PROVIDER_DIR).is_dir()


def walk_dirs(root: Path, depth: int) -> Iterator[Path]:
    """Directories under `root`, breadth first, at most `depth` levels down."""
    queue: deque[tuple[Path, int]] = deque([(root, 0)])
    while queue:
        path, level = queue.popleft()
        yield path
        if level == depth:
            continue
        try:
            with os.scandir(path) as entries:
                children = sorted(entries, key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in children:
            # Symlinks are skipped so a link loop cannot stall the search.
            if entry.is_dir(follow_symlinks=False):
                queue.append((Path(entry.path), level + 1))


def find_provider_mirror(home: Path | None = None) -> Path | None:
    """The mirror to use: TF_PROVIDER_MIRROR, else the first one found."""
    configured = os.environ.get(MIRROR_ENV_VAR)
    if configured:
        path = Path(configured).expanduser()
        if not is_mirror(path):
            msg = (
                f"{MIRROR_ENV_VAR}={configured!r} has no {PROVIDER_DIR} inside; "
                "point it at the directory that contains registry.terraform.io, "
                "or unset it to search the usual places."
            )
            raise FileNotFoundError(msg)
        return path

    home = home or Path.home()
    for candidate in implicit_mirror_dirs(home):
        if is_mirror(candidate):
            return candidate
    for root in search_roots(home):
        for candidate in walk_dirs(root, SEARCH_DEPTH):
            if is_mirror(candidate):
                return candidate
    return None


def cli_config(mirror: Path) -> str:
    """A CLI configuration that installs hashicorp providers from `mirror`."""
    path = str(mirror.resolve()).replace("\\", "/").replace('"', '\\"')
    return (
        "disable_checkpoint = true\n"
        "\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{path}"\n'
        f'    include = ["{MIRRORED_PROVIDERS}"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{MIRRORED_PROVIDERS}"]\n'
        "  }\n"
        "}\n"
    )


def terraform_env(
    work_dir: Path | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """An environment for running Terraform, offline when a mirror exists.

    With a mirror, the CLI configuration is written into `work_dir` (a new
    temporary directory if not given) and TF_CLI_CONFIG_FILE points at it,
    in place of any configuration file named there before.
    Without one, the environment is returned unchanged apart from turning
    off Terraform's version check, which is a call to HashiCorp.
    """
    env = dict(os.environ if base is None else base)
    env["CHECKPOINT_DISABLE"] = "1"

    mirror = find_provider_mirror()
    if mirror is None:
        return env

    work_dir = work_dir or Path(tempfile.mkdtemp(prefix="terraform-cli-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    config_file = work_dir / "terraform.tfrc"
    config_file.write_text(cli_config(mirror), encoding="utf-8")
    env["TF_CLI_CONFIG_FILE"] = str(config_file)
    return env


def main(argv: list[str]) -> int:
    """Run the command in `argv` with the mirror configured, if any.

    Returns the command's exit code; 2 without a command, and 127 (as a
    shell does) when the command cannot be started.
    """
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    with tempfile.TemporaryDirectory(prefix="terraform-cli-") as work_dir:
        env = terraform_env(Path(work_dir))
        try:
            return subprocess.run(argv, env=env, check=False).returncode
        except OSError as error:
            print(
                f"Cannot run {argv[0]!r}: {error.strerror}; check that it is "
                "installed and on PATH, and the spelling of the command.",
                file=sys.stderr,
            )
            return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
