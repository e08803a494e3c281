"""scripts/terraform_env.py run as a command: its usage and its errors."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script() -> ModuleType:
    """Import scripts/terraform_env.py, which is not a package module."""
    path = ROOT / "scripts" / "terraform_env.py"
    spec = importlib.util.spec_from_file_location("terraform_env", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["terraform_env"] = module
    spec.loader.exec_module(module)
    return module


terraform_env = load_script()


@pytest.fixture(autouse=True)
def no_mirror_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the search for a provider mirror; these tests run no Terraform."""
    monkeypatch.setattr(terraform_env, "find_provider_mirror", lambda: None)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_the_usage(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = terraform_env.main([flag])

    assert code == 0
    assert capsys.readouterr().out.strip() == str(terraform_env.__doc__).strip()


def test_a_command_that_is_not_found_is_named_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = terraform_env.main(["terraform-not-installed-here", "version"])

    assert code == 127
    assert capsys.readouterr().err.splitlines() == [
        "Cannot run 'terraform-not-installed-here': No such file or directory; "
        "check that it is installed and on PATH, and the spelling of the command."
    ]
