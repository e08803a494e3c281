"""The versioned prompt: instructions from prompts/ plus the output schema.

The version is a short hash of both, since both are what the model sees. It
is stamped with the model id on every record and log line, so a change in
quality can be traced to the prompt change that caused it. Changing either
changes the version: a prompt change is a deployment.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anthropic import transform_schema

from .errors import ConfigurationError
from .schema import RequestOutput

PROMPT_FILE = "system.md"
VERSION_LENGTH = 12

# prompts/ sits beside the package in the Lambda zip, and beside src/ in a
# checkout of the repository.
_PACKAGE_DIR = Path(__file__).resolve().parent
_SEARCH_DIRS = (_PACKAGE_DIR.parent / "prompts", _PACKAGE_DIR.parents[1] / "prompts")


@dataclass(frozen=True)
class Prompt:
    """What the model is given besides the request: instructions and schema."""

    system: str
    output_schema: dict[str, Any]
    version: str

    @functools.cached_property
    def size_bytes(self) -> int:
        """The UTF-8 bytes of the instructions and the schema, as sent."""
        schema = json.dumps(self.output_schema, separators=(",", ":"))
        return len(self.system.encode("utf-8")) + len(schema.encode("utf-8"))


def _prompt_path() -> Path:
    for directory in _SEARCH_DIRS:
        path = directory / PROMPT_FILE
        if path.is_file():
            return path
    searched = ", ".join(str(directory) for directory in _SEARCH_DIRS)
    raise ConfigurationError(
        f"No prompt file {PROMPT_FILE} in {searched}; build the package with "
        "scripts/build_package.py, which ships prompts/ beside the code."
    )


def prompt_version(system: str, output_schema: dict[str, Any]) -> str:
    """Hash the instructions and the schema into a short version string."""
    digest = hashlib.sha256(system.encode("utf-8"))
    digest.update(b"\0")
    digest.update(json.dumps(output_schema, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:VERSION_LENGTH]


@functools.cache
def load_prompt() -> Prompt:
    """Read the prompt file once and compute its version."""
    # Line endings are normalised so a checkout on Windows hashes the same.
    system = _prompt_path().read_text(encoding="utf-8").replace("\r\n", "\n")
    output_schema = transform_schema(RequestOutput)
    return Prompt(system, output_schema, prompt_version(system, output_schema))
