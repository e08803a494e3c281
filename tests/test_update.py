"""`copier update` of a rendered repository, as consultants run it.

The template is copied into a git repository of its own and tagged, so the
test renders a real release (as a client project starts) and then updates
it to a later release and to changed answers, with the client's own edits
in place. Rendering from a throwaway commit would record a revision no
later update could find.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy, run_update

from conftest import TEMPLATE_ROOT, load_example

# What a development checkout holds besides the template.
NOT_TEMPLATE = (
    ".git",
    ".venv*",
    "build",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """This checkout's template as a git repository tagged v1.0.0."""
    template = tmp_path / "three-moons"
    shutil.copytree(
        TEMPLATE_ROOT, template, ignore=shutil.ignore_patterns(*NOT_TEMPLATE)
    )
    git(template, "init", "-q", "-b", "main")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "release 1.0.0")
    git(template, "tag", "v1.0.0")
    return template


def client_repo(template: Path, destination: Path, answers: dict[str, Any]) -> Path:
    """Render the newest release and commit it, as a consultant does."""
    run_copy(str(template), destination, data=answers, defaults=True, quiet=True)
    git(destination, "init", "-q", "-b", "main")
    git(destination, "add", "-A")
    git(destination, "commit", "-qm", "start from three-moons")
    return destination


def conflicts(root: Path) -> list[str]:
    """Files that hold merge markers or copier's .rej leftovers."""
    found = [str(p.relative_to(root)) for p in root.rglob("*.rej")]
    for path in root.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "<<<<<<< " in text or ">>>>>>> " in text:
            found.append(str(path.relative_to(root)))
    return found


def update(destination: Path, **data: Any) -> None:
    run_update(
        destination,
        data=data,
        defaults=True,
        overwrite=True,
        conflict="inline",
        quiet=True,
    )


def test_new_release_merges_with_the_clients_own_edits(
    release: Path, tmp_path: Path
) -> None:
    # GIVEN a client repository from v1.0.0 with an edit of its own
    repo = client_repo(release, tmp_path / "client", load_example("support-triage"))
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\nOn-call rota: see the wiki.\n")
    git(repo, "commit", "-qam", "our rota")

    # AND a v1.1.0 of the template that changes another file
    makefile = release / "template" / "Makefile"
    makefile.write_text(makefile.read_text() + "\n# Added in 1.1.0.\n")
    git(release, "commit", "-qam", "release 1.1.0")
    git(release, "tag", "v1.1.0")

    # WHEN the client repository is updated
    update(repo)

    # THEN it has the new release and keeps its own edit, with no conflict
    assert conflicts(repo) == []
    assert "# Added in 1.1.0." in (repo / "Makefile").read_text()
    assert "On-call rota: see the wiki." in readme.read_text()
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0"


def test_changed_fields_update_cleanly_from_a_data_file_render(
    release: Path, tmp_path: Path
) -> None:
    """Answers in the discovery file's key order replay identically."""
    answers = load_example("support-triage")
    repo = client_repo(release, tmp_path / "client", answers)
    fields = [
        {"description": "Whether a person must look first.", "name": "needs_review"},
        *answers["output_fields"],
    ]
    for field in fields[:1]:
        field.update(type="boolean", required=True)

    update(repo, output_fields=fields, canary_percent=25)

    assert conflicts(repo) == []
    package = yaml.safe_load((repo / ".copier-answers.yml").read_text())["package_name"]
    rendered = (repo / "src" / package / "fields.json").read_text()
    assert '"needs_review"' in rendered
    assert "25 % of traffic" in (repo / ".github/workflows/deploy.yml").read_text()


def test_a_roots_own_tfvars_survives_an_update_that_changes_it(
    release: Path, tmp_path: Path
) -> None:
    """_skip_if_exists keeps a client-edited terraform.tfvars as it is."""
    # GIVEN a client repository whose prod root names its own state bucket
    repo = client_repo(release, tmp_path / "client", load_example("support-triage"))
    tfvars = repo / "infra" / "envs" / "prod" / "terraform.tfvars"
    ours = tfvars.read_text().replace(
        "state_bucket_name = null", 'state_bucket_name = "northwind-state"'
    )
    tfvars.write_text(ours)
    git(repo, "commit", "-qam", "our state bucket")

    # AND a v1.1.0 of the template that changes the same line
    envs = release / "template" / "infra" / "envs"
    for template in envs.glob("*/terraform.tfvars"):
        text = template.read_text()
        template.write_text(
            text.replace("state_bucket_name = null", 'state_bucket_name = ""')
        )
    git(release, "commit", "-qam", "release 1.1.0")
    git(release, "tag", "v1.1.0")

    # WHEN the client repository is updated
    update(repo)

    # THEN the file is the client's, untouched and without conflict markers
    assert conflicts(repo) == []
    assert tfvars.read_text() == ours
