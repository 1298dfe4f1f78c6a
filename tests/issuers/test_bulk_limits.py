"""Bulk files at the edges the attack run found (a 500 for a CSV cell over 128 KB and for JSON nested
10,000 deep, 6.7 s for a 1,000,000-column header): each is a clear 4xx problem, and the work done on a
hostile file is bounded by the limits, not by the file (counted here, never timed)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.problems import ValidationFailed
from issuers import bulk
from tests.issuers.conftest import create_achievement, create_provider
from tests.issuers.test_api import assert_problem
from tests.issuers.test_bulk import upload


@pytest.fixture
def provider_and_achievement(client: TestClient) -> tuple[str, str]:
    provider = create_provider(client)
    return provider["api_key"], create_achievement(client, provider["api_key"])


def test_a_csv_cell_over_128_kb_is_a_422_naming_its_row(
    client: TestClient, provider_and_achievement: tuple[str, str]
) -> None:
    key, achievement_id = provider_and_achievement
    content = b"email,name\nok@example.com,A\nbig@example.com," + b"x" * 200_000 + b"\n"
    response = upload(client, key, achievement_id, content)
    assert_problem(response, 422, "validation-error")
    assert response.json()["errors"] == [
        {"row": 2, "msg": f"a cell is longer than {bulk.MAX_CELL_CHARACTERS} characters"}
    ]


def test_a_long_cell_under_the_csv_module_limit_is_refused_by_ours(
    client: TestClient, provider_and_achievement: tuple[str, str]
) -> None:
    key, achievement_id = provider_and_achievement
    content = b"email,result\nok@example.com," + b"x" * (bulk.MAX_CELL_CHARACTERS + 1) + b"\n"
    response = upload(client, key, achievement_id, content)
    assert_problem(response, 422, "validation-error")
    assert response.json()["errors"][0]["row"] == 1


def test_json_nested_10000_deep_is_a_400(
    client: TestClient, provider_and_achievement: tuple[str, str]
) -> None:
    key, achievement_id = provider_and_achievement
    content = b"[" * 10_000 + b"]" * 10_000
    response = upload(client, key, achievement_id, content, "cohort.json")
    assert_problem(response, 400, "bad-request")
    assert "nesting" in response.json()["detail"]


def test_json_rows_hold_only_text(client: TestClient, provider_and_achievement: tuple[str, str]) -> None:
    key, achievement_id = provider_and_achievement
    content = b'[{"email": "a@example.com", "name": {"first": "A"}}]'
    response = upload(client, key, achievement_id, content, "cohort.json")
    assert_problem(response, 422, "validation-error")
    assert response.json()["errors"] == [{"row": 1, "field": "name", "msg": "must be text"}]


def test_a_million_column_header_is_refused_before_any_row_is_read() -> None:
    header = ",".join(f"c{number}" for number in range(1_000_000))
    # The row after it would be an error of its own (a cell far too long): it is never read.
    content = (header + "\nbig@example.com," + "x" * 200_000 + "\n").encode()
    with pytest.raises(ValidationFailed) as refused:
        bulk.parse_rows("cohort.csv", content)
    assert refused.value.extensions["errors"] == [
        {"row": 0, "msg": f"the header has 1000000 columns; the known columns are {', '.join(bulk.COLUMNS)}"}
    ]


def test_a_hostile_header_gets_one_error_not_one_per_column() -> None:
    header = ",".join(f"c{number}" for number in range(bulk.MAX_COLUMNS))
    with pytest.raises(ValidationFailed) as refused:
        bulk.parse_rows("cohort.csv", (header + "\n").encode())
    assert len(refused.value.extensions["errors"]) <= bulk.MAX_REPORTED_ERRORS


def test_every_bad_row_is_counted_but_the_errors_listed_are_capped() -> None:
    rows = [{"email": f"not-an-email-{number}"} for number in range(bulk.MAX_ROWS)]
    with pytest.raises(ValidationFailed) as refused:
        bulk.validate_rows(rows, "achievement", "ldp")
    assert refused.value.detail.startswith(f"{bulk.MAX_ROWS} rows are not valid")
    assert len(refused.value.extensions["errors"]) == bulk.MAX_REPORTED_ERRORS


def test_a_json_row_with_a_million_fields_names_only_a_few() -> None:
    row = {"email": "a@example.com"} | {f"f{number}": "x" for number in range(1_000_000)}
    with pytest.raises(ValidationFailed) as refused:
        bulk.validate_rows([row], "achievement", "ldp")
    (error,) = refused.value.extensions["errors"]
    assert len(error["msg"]) < 300
    assert "1000000 unknown fields" in error["msg"]


def test_rows_past_the_limit_are_not_read() -> None:
    lines = ["email"] + [f"learner{number}@example.com" for number in range(bulk.MAX_ROWS + 50)]
    with pytest.raises(ValidationFailed) as refused:
        bulk.parse_rows("cohort.csv", ("\n".join(lines) + "\n").encode())
    assert refused.value.extensions["errors"] == [{"row": bulk.MAX_ROWS + 1, "msg": "too many rows"}]
