"""Bad answers fail with the validator's exact sentence and render nothing."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from conftest import TEMPLATE_ROOT, load_example, render

GOOD = load_example("accounts-payable")


def with_answer(**changes: Any) -> dict[str, Any]:
    return {**GOOD, **changes}


def output_fields(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [*GOOD["output_fields"], *extra]


BAD_ANSWERS = [
    pytest.param(
        {"project_slug": "Invoice_Extraction"},
        "project_slug",
        'The slug "Invoice_Extraction" is not usable in AWS resource names; '
        "type 3 to 30 lowercase letters, digits or hyphens, starting with a "
        'letter and not ending with a hyphen, for example "invoice-extraction".',
        id="slug-with-capitals-and-underscore",
    ),
    pytest.param(
        {"project_slug": "invoice--extraction"},
        "project_slug",
        'The slug "invoice--extraction" has a double hyphen, which S3 bucket '
        "names reject; type single hyphens only.",
        id="slug-with-double-hyphen",
    ),
    pytest.param(
        {"project_slug": "a" * 31},
        "project_slug",
        f'The slug "{"a" * 31}" is not usable in AWS resource names; type 3 to '
        "30 lowercase letters, digits or hyphens, starting with a letter and "
        'not ending with a hyphen, for example "invoice-extraction".',
        id="slug-too-long",
    ),
    pytest.param(
        {"package_name": "class"},
        "package_name",
        'The package name "class" is a Python keyword; type another name, for '
        'example "class_service".',
        id="package-is-keyword",
    ),
    pytest.param(
        {"aws_region": "eu-middle-9"},
        "aws_region",
        '"eu-middle-9" is not an AWS region this template deploys to; type one '
        "of: af-south-1, ap-east-1, ap-northeast-1, ap-northeast-2, "
        "ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, "
        "ap-southeast-3, ap-southeast-4, ca-central-1, ca-west-1, eu-central-1, "
        "eu-central-2, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, "
        "eu-west-3, il-central-1, me-central-1, me-south-1, sa-east-1, "
        "us-east-1, us-east-2, us-west-1, us-west-2.",
        id="unknown-region",
    ),
    pytest.param(
        {"monthly_budget_usd": 0},
        "monthly_budget_usd",
        "A budget of 0.0 USD cannot pay for any model call; type a positive "
        "number of dollars, for example 200.",
        id="budget-zero",
    ),
    pytest.param(
        {"monthly_budget_usd": -5},
        "monthly_budget_usd",
        "A budget of -5.0 USD cannot pay for any model call; type a positive "
        "number of dollars, for example 200.",
        id="budget-negative",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "vendor_name",
                    "type": "string",
                    "required": False,
                    "description": "Again.",
                }
            )
        },
        "output_fields",
        'output_fields: the field name "vendor_name" appears twice; give every '
        "field its own name.",
        id="duplicate-field",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "import",
                    "type": "string",
                    "required": True,
                    "description": "Import duty.",
                }
            )
        },
        "output_fields",
        'output_fields: the field name "import" is a Python keyword; rename it, '
        'for example "import_value".',
        id="field-is-keyword",
    ),
    pytest.param(
        {
            "input_fields": [
                {
                    "name": "Document",
                    "type": "string",
                    "required": True,
                    "description": "Text.",
                }
            ]
        },
        "input_fields",
        'input_fields: the field name "Document" is not a usable identifier; '
        "type lowercase letters, digits and underscores, starting with a "
        'letter, for example "invoice_total".',
        id="field-name-not-identifier",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "amount_due",
                    "type": "money",
                    "required": True,
                    "description": "Due.",
                }
            )
        },
        "output_fields",
        'output_fields: the field "amount_due" has type "money"; type one of '
        "string, integer, number, boolean, date, string_list.",
        id="unknown-field-type",
    ),
    pytest.param(
        {"output_fields": []},
        "output_fields",
        "output_fields is an empty list; give at least one field.",
        id="no-output-fields",
    ),
    pytest.param(
        {"slo_availability_percent": 99.999},
        "slo_availability_percent",
        "slo_availability_percent is 99.999 %; type a target from 90 to 99.99 "
        "(per cent, without the % sign).",
        id="slo-above-range",
    ),
    pytest.param(
        {"model_id": "gpt-4o"},
        "model_id",
        '"gpt-4o" is not an Anthropic model id; type one such as '
        '"claude-sonnet-5-5" or "claude-haiku-4-5".',
        id="not-a-claude-model",
    ),
    pytest.param(
        {"model_timeout_seconds": 15, "model_max_retries": 1},
        "model_max_retries",
        "2 attempts of 15 s each, up to 1 s of wait before each retry and 2 s of "
        "work take 33 s, more than the 28 s the function may use inside API "
        "Gateway's 29 s limit; lower the model timeout or the number of retries.",
        id="timeout-chain-too-long",
    ),
    pytest.param(
        # 13 s x 2 + 2 s fit; the wait before the retry does not.
        {"model_timeout_seconds": 13, "model_max_retries": 1},
        "model_max_retries",
        "2 attempts of 13 s each, up to 1 s of wait before each retry and 2 s of "
        "work take 29 s, more than the 28 s the function may use inside API "
        "Gateway's 29 s limit; lower the model timeout or the number of retries.",
        id="timeout-chain-too-long-with-the-wait",
    ),
    pytest.param(
        {"allowed_origins": ["https://erp.example.com", "*"]},
        "allowed_origins",
        'The origin "*" is not a browser origin; type the scheme and host only, '
        'such as "https://app.example.com" (http only for localhost, no "*").',
        id="wildcard-origin",
    ),
    pytest.param(
        {"oncall_email": "oncall at northwind"},
        "oncall_email",
        'oncall_email "oncall at northwind" is not an email address; type one '
        'such as "oncall@example.com".',
        id="oncall-not-an-email",
    ),
    pytest.param(
        {"deploy_approvers": ["alice", "@bob"]},
        "deploy_approvers",
        '"@bob" is not a GitHub user name; type letters, digits and single '
        "hyphens, without the @.",
        id="approver-with-at-sign",
    ),
    pytest.param(
        {"peak_per_minute": 900},
        "peak_per_minute",
        "A peak of 900 a minute is more than the 400 items of a whole day; type "
        "at most 400.",
        id="peak-above-daily-volume",
    ),
    pytest.param(
        {"peak_per_minute": 300, "provider_rate_limit_rpm": 500},
        "provider_rate_limit_rpm",
        "At the peak of 300 items a minute, with up to 2 calls each, the service "
        "would send 600 requests a minute, more than the limit of 500; raise the "
        "limit with the provider, lower the peak or the in-call retries.",
        id="rate-limit-below-peak",
    ),
    pytest.param(
        {"monthly_budget_usd": 0.27},
        "monthly_budget_usd",
        "A budget of 0.27 USD cannot pay for the largest request the service "
        "accepts: before each call the cost guard holds its worst case, up to "
        "0.28 USD for 30000 characters, the prompt and 1024 output tokens at the "
        "price of claude-sonnet-5-5, and would refuse such a request every "
        "month; raise monthly_budget_usd to at least 0.28, or lower "
        "max_input_chars or max_output_tokens.",
        id="budget-below-one-largest-request",
    ),
    pytest.param(
        {"monthly_budget_usd": 50},
        "accept_cost_over_budget",
        "The expected cost of about 132.00 USD a month is over the budget of "
        "50.0 USD; raise monthly_budget_usd, choose a cheaper model, or answer "
        "accept_cost_over_budget: true to render anyway.",
        id="expected-cost-over-budget",
    ),
    pytest.param(
        {"environments": []},
        "environments",
        "Pick at least one environment; prod alone is allowed, staging is recommended.",
        id="no-environment",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "datetime",
                    "type": "date",
                    "required": True,
                    "description": "When.",
                }
            )
        },
        "output_fields",
        'output_fields: the field name "datetime" is reserved by the generated '
        'code; rename it, for example "datetime_value".',
        id="field-shadows-a-type",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "kind",
                    "type": "string",
                    "required": True,
                    "description": "Kind.",
                    "choices": ["short", "x" * 61],
                }
            )
        },
        "output_fields",
        'output_fields: the field "kind" has a choice longer than 60 characters '
        "(a non-ASCII letter counts as 6); shorten each choice to a code or a few "
        "words.",
        id="choice-too-long",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "kind",
                    "type": "string",
                    "required": True,
                    "description": "Kind.",
                    "choices": ["Yes", "yes"],
                }
            )
        },
        "output_fields",
        'output_fields: the field "kind" has choices that differ only in letter '
        "case; make each choice differ in more than case.",
        id="choices-differ-in-case-only",
    ),
    pytest.param(
        {"minutes_saved_per_item": float("nan")},
        "minutes_saved_per_item",
        "nan minutes per item is out of range; type a number above 0 and at most 480.",
        id="minutes-nan",
    ),
    pytest.param(
        {"monthly_budget_usd": float("nan")},
        "monthly_budget_usd",
        "A budget of nan USD cannot pay for any model call; type a positive "
        "number of dollars, for example 200.",
        id="budget-nan",
    ),
    pytest.param(
        {"slo_availability_percent": float("nan")},
        "slo_availability_percent",
        "slo_availability_percent is nan %; type a target from 90 to 99.99 (per "
        "cent, without the % sign).",
        id="slo-nan",
    ),
    pytest.param(
        {"budget_alert_percents": [True]},
        "budget_alert_percents",
        "budget_alert_percents must hold numbers only; got [True].",
        id="alert-percent-boolean",
    ),
    pytest.param(
        {"budget_alert_percents": [50, 50]},
        "budget_alert_percents",
        "budget_alert_percents [50, 50] lists a share twice; AWS Budgets would "
        "send the same alert twice, so give each once.",
        id="alert-percent-twice",
    ),
    pytest.param(
        {"project_slug": "sthree-invoices"},
        "project_slug",
        'The slug "sthree-invoices" starts with a prefix S3 keeps for its own '
        "bucket names; type a slug that starts otherwise.",
        id="slug-with-s3-reserved-prefix",
    ),
    pytest.param(
        {"package_name": "json"},
        "package_name",
        'The package name "json" is already a module the service or its tools '
        "import (the standard library), and one would hide the other; type "
        'another name, for example "json_service".',
        id="package-shadows-stdlib",
    ),
    pytest.param(
        {"package_name": "pydantic"},
        "package_name",
        'The package name "pydantic" is already a module the service or its '
        "tools import (a dependency or the tests), and one would hide the "
        'other; type another name, for example "pydantic_service".',
        id="package-shadows-a-dependency",
    ),
    pytest.param(
        {
            "model_provider": "bedrock",
            "aws_region": "us-east-1",
            "model_id": "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
        },
        "model_id",
        '"eu.anthropic.claude-sonnet-4-5-20250929-v1:0" is an inference '
        "profile for the EU, which Bedrock serves only to callers there, and "
        "us-east-1 is outside it; type the profile of us-east-1's "
        'geography, or a "global." one.',
        id="bedrock-profile-of-another-geography",
    ),
    pytest.param(
        {
            "model_provider": "bedrock",
            "aws_region": "ap-southeast-1",
            "model_id": "au.anthropic.claude-sonnet-4-5-20250929-v1:0",
        },
        "model_id",
        '"au.anthropic.claude-sonnet-4-5-20250929-v1:0" is an inference '
        "profile for Australia, which Bedrock serves only to callers there, and "
        "ap-southeast-1 is outside it; type the profile of ap-southeast-1's "
        'geography, or a "global." one.',
        id="bedrock-australian-profile-outside-australia",
    ),
    pytest.param(
        {"allowed_origins": [None]},
        "allowed_origins",
        'The origin "null" is not a browser origin; type the scheme and host only, '
        'such as "https://app.example.com" (http only for localhost, no "*").',
        id="origin-null",
    ),
    pytest.param(
        {"allowed_origins": {"https://a.example": 1}},
        "allowed_origins",
        'allowed_origins must be a YAML list of origins such as ["https://app.'
        'example.com"], or [] for none; got "{\'https://a.example\': 1}".',
        id="origins-mapping",
    ),
    pytest.param(
        {"deploy_approvers": [""]},
        "deploy_approvers",
        '"" is not a GitHub user name; type letters, digits and single hyphens, '
        "without the @.",
        id="approver-empty",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "kind",
                    "type": "string",
                    "description": "Kind.",
                    "enum": ["a", "b"],
                }
            )
        },
        "output_fields",
        'output_fields: the field "kind" has the key "enum", which is not one of '
        "name, type, required, description, choices; rename or remove it.",
        id="field-key-mistyped",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {
                    "name": "kind",
                    "type": "string",
                    "description": "Kind.",
                    "choices": ["", "x"],
                }
            )
        },
        "output_fields",
        "output_fields: the field \"kind\" has choices ['', 'x']; each choice "
        "must be a word or a number, not empty, true, false or null.",
        id="choice-empty",
    ),
    pytest.param(
        {"business_rules": [" "]},
        "business_rules",
        "Every business rule must be a sentence in quotes, not empty; got [' '].",
        id="business-rule-empty",
    ),
    pytest.param(
        {"business_rules": ["x" * 301]},
        "business_rules",
        "A business rule has 301 characters; keep each to 300, one checkable sentence.",
        id="business-rule-too-long",
    ),
    pytest.param(
        {"allowed_origins": ["https://app.example.com:99999"]},
        "allowed_origins",
        'The origin "https://app.example.com:99999" is not a browser origin; type '
        'the scheme and host only, such as "https://app.example.com" (http only '
        'for localhost, no "*").',
        id="origin-port-out-of-range",
    ),
    pytest.param(
        {"client_name": "N" * 81},
        "client_name",
        f'The client name "{"N" * 37}..." is 81 characters; type at most 80.',
        id="client-name-too-long",
    ),
    pytest.param(
        {"client_name": "Acme\nCorp"},
        "client_name",
        'The client name "Acme Corp" holds a line break, a tab or another '
        "control character; type it on one line.",
        id="client-name-on-two-lines",
    ),
    pytest.param(
        {"project_name": "Invoice\tExtraction"},
        "project_name",
        'The project name "Invoice\tExtraction" holds a line break, a tab or '
        "another control character; type it on one line.",
        id="project-name-with-a-tab",
    ),
    pytest.param(
        {"client_name": "North\u2028wind"},
        "client_name",
        'The client name "North\u2028wind" holds a line break, a tab or '
        "another control character; type it on one line.",
        id="client-name-with-a-unicode-line-separator",
    ),
    pytest.param(
        {"escalation_contact": "Maria " + "z" * 300},
        "escalation_contact",
        'The escalation contact "Maria..." is 306 characters; type at most 200.',
        id="escalation-contact-too-long",
    ),
    pytest.param(
        {
            "output_fields": output_fields(
                {"name": "notes", "type": "string", "description": "d" * 501}
            )
        },
        "output_fields",
        'output_fields: the description of "notes" is 501 characters; keep it to '
        "500 (every request sends it to the model) and put detail in the prompt "
        "file after rendering.",
        id="description-too-long",
    ),
]


@pytest.mark.parametrize(("changes", "question", "message"), BAD_ANSWERS)
def test_bad_answer_fails_with_its_message_and_renders_nothing(
    tmp_path: Path, changes: dict[str, Any], question: str, message: str
) -> None:
    destination = tmp_path / "out"

    with pytest.raises(ValueError) as caught:
        render(destination, with_answer(**changes))

    assert str(caught.value) == (
        f"Validation error for question '{question}': {message}"
    )
    assert not destination.exists()


def test_good_answers_render(tmp_path: Path) -> None:
    destination = render(tmp_path / "out", GOOD)

    assert (destination / ".copier-answers.yml").is_file()


@pytest.mark.parametrize(
    ("region", "model_id"),
    [
        ("ap-southeast-2", "au.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("ap-northeast-1", "jp.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ],
)
def test_in_country_bedrock_profiles_render(
    tmp_path: Path, region: str, model_id: str
) -> None:
    answers = with_answer(
        model_provider="bedrock", aws_region=region, model_id=model_id
    )

    destination = render(tmp_path / "out", answers)

    assert (destination / ".copier-answers.yml").is_file()


def test_cost_over_budget_renders_once_accepted(tmp_path: Path) -> None:
    answers = with_answer(monthly_budget_usd=50, accept_cost_over_budget=True)

    destination = render(tmp_path / "out", answers)

    assert (destination / ".copier-answers.yml").is_file()


def test_the_largest_hold_follows_the_rendered_cost_guard() -> None:
    """The render-time floor of the budget counts as claude.worst_case_cost does.

    Its figure (0.28 USD above: (30000 x 4 + 2000) input tokens plus a bound
    on the prompt's bytes at 2 USD and 1024 output tokens at 10 USD a
    million) rests on two constants of the rendered service; if either
    moves, the floor must move with it.
    """
    source = TEMPLATE_ROOT / "template" / "src" / "{{package_name}}"
    claude = (source / "claude.py").read_text()
    validation = (source / "validation.py").read_text()

    assert re.search(r"^INPUT_TOKENS_ALLOWANCE = 2_000$", claude, re.M)
    assert re.search(r"^MAX_INPUT_BYTES = 300_000$", validation, re.M)
    assert 'len(_as_text(request_input).encode("utf-8"))' in claude


def test_a_budget_at_the_largest_hold_pays_for_the_largest_request(
    tmp_path: Path,
) -> None:
    answers = with_answer(monthly_budget_usd=0.28, accept_cost_over_budget=True)

    destination = render(tmp_path / "out", answers)

    # The rendered guard's worst case of a body of 30,000 four-byte
    # characters, with the prompt as rendered, fits in the floor.
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            "from northwind_invoices.prompts import load_prompt; "
            "print(load_prompt().size_bytes)",
        ],
        cwd=destination / "src",
        capture_output=True,
        text=True,
        check=True,
    )
    sent = 30_000 * 4 + 2_000 + int(ran.stdout)
    assert (sent * 2 + 1024 * 10) / 1_000_000 <= 0.28


def jinja_list(name: str) -> set[str]:
    """The names in one `{% set name = [...] %}` list of hooks/validators.jinja."""
    text = (TEMPLATE_ROOT / "hooks" / "validators.jinja").read_text()
    body = re.search(rf"set {name} = \[(.*?)\]", text, re.S)
    assert body, name
    return set(re.findall(r"'([^']+)'", body.group(1)))


PACKAGE_LIKE = re.compile(r"[a-z][a-z0-9_]*")


def test_field_names_that_would_shadow_pydantic_are_reserved() -> None:
    # A field named after one of these makes pydantic warn that it shadows
    # an attribute of BaseModel (the class, or its metaclass: mro, register).
    from pydantic import BaseModel

    shadowed = {
        name
        for name in dir(BaseModel) + dir(type(BaseModel))
        if not name.startswith(("_", "model_"))
    }

    assert shadowed <= jinja_list("reserved_field_names")


def test_package_names_of_the_standard_library_are_refused() -> None:
    stdlib = {n for n in sys.stdlib_module_names if PACKAGE_LIKE.fullmatch(n)}

    assert stdlib <= jinja_list("stdlib_module_names")


def test_package_names_of_every_dependency_are_refused(
    rendered_examples: dict[str, Path],
) -> None:
    """Every module a rendered repository's environment installs is listed.

    This environment pins what the rendered repositories pin, so walking
    their requirements here finds what they install.
    """
    project = tomllib.loads(
        (rendered_examples["support-triage"] / "pyproject.toml").read_text()
    )["project"]
    wanted = [*project["dependencies"]]
    wanted += [r for extra in project["optional-dependencies"].values() for r in extra]

    def dist_name(requirement: str) -> str:
        return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()

    installed, queue = set(), [dist_name(r) for r in wanted]
    while queue:
        name = queue.pop().replace("_", "-")
        if name in installed:
            continue
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue  # an optional dependency not installed here
        installed.add(name)
        queue += [dist_name(r) for r in requires if "extra ==" not in r]
    modules = {
        module
        for module, dists in metadata.packages_distributions().items()
        if PACKAGE_LIKE.fullmatch(module)
        and {d.lower().replace("_", "-") for d in dists} & installed
    }

    assert modules <= jinja_list("dependency_module_names")
