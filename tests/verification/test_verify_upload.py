"""POST /credentials/verify/upload: JSON, JWT text, baked PNG and SVG; the problems of unreadable files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.vc.test_baking import PNG, SVG, chunk, with_chunk_before_idat
from tests.verification.conftest import check, issue
from vc.baking import PNG_KEYWORD, bake

ROUTE = "/credentials/verify/upload"


def upload(client: TestClient, name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return client.post(ROUTE, files={"file": (name, data, content_type)})


@pytest.mark.parametrize(
    ("credential_format", "image"), [("ldp", PNG), ("jwt", PNG), ("ldp", SVG), ("jwt", SVG)]
)
def test_baked_badges_verify(
    client: TestClient, provider: dict[str, Any], credential_format: str, image: bytes
) -> None:
    credential = issue(client, provider["api_key"], provider["achievement_id"], format=credential_format)
    name = "badge.png" if image is PNG else "badge.svg"
    response = upload(client, name, bake(image, credential["credential"]))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verified"] is True, report
    assert report["format"] == credential_format


def test_json_and_jwt_files_verify(client: TestClient, provider: dict[str, Any]) -> None:
    ldp = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    jwt = issue(client, provider["api_key"], provider["achievement_id"], format="jwt")["credential"]
    assert upload(client, "credential.json", json.dumps(ldp).encode()).json()["verified"] is True
    assert upload(client, "credential.jwt", jwt.encode()).json()["verified"] is True


def test_a_tampered_baked_credential_is_a_200_report(client: TestClient, provider: dict[str, Any]) -> None:
    credential = issue(client, provider["api_key"], provider["achievement_id"])["credential"]
    credential["name"] = "Forged"
    response = upload(client, "badge.png", bake(PNG, credential))
    assert response.status_code == 200
    assert check(response.json(), "proof")["outcome"] == "failed"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("badge.png", b"GIF89a not a png", "named like a PNG image but its content is not an image"),
        ("badge.png", SVG, "named like a PNG image but its content is a SVG image"),
        ("badge.svg", PNG, "named like a SVG image but its content is a PNG image"),
        ("badge.png", PNG, "no openbadgecredential"),  # a PNG without a credential
        ("empty.json", b"  ", "is empty"),
        ("list.json", b"[1, 2]", "not an object"),
        ("binary.bin", b"\xff\xfe\x00", "not UTF-8"),
        ("dup.json", b'{"a": 1, "a": 2}', "duplicate JSON key"),
    ],
)
def test_unreadable_uploads_are_422_problems(
    client: TestClient, name: str, data: bytes, message: str
) -> None:
    response = upload(client, name, data)
    assert_problem(response, 422, "unreadable-upload")
    assert message in response.json()["detail"]


def test_png_with_two_credential_chunks_is_refused(client: TestClient, provider: dict[str, Any]) -> None:
    jwt = issue(client, provider["api_key"], provider["achievement_id"], format="jwt")["credential"]
    baked = bake(PNG, jwt)
    body = PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + jwt.encode()
    twice = with_chunk_before_idat(baked, chunk(b"iTXt", body))
    response = upload(client, "badge.png", twice)
    assert_problem(response, 422, "unreadable-upload")


def test_oversized_upload_is_413(client: TestClient) -> None:
    response = upload(client, "huge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * 1024 * 1024))
    assert_problem(response, 413, "payload-too-large")


def test_missing_file_is_422(client: TestClient) -> None:
    response = client.post(ROUTE, data={"other": "x"})
    assert_problem(response, 422, "validation-error")
