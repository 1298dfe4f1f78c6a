"""IdentityHash (OB 3.0 §B.3): vector from tests/vectors/1edtech/identity-hash.json (see its ``source``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.identity import identity_hash, matches_identity_hash, new_salt

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "1edtech" / "identity-hash.json").read_text(encoding="utf-8")
)["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["identifier"])
def test_identity_hash_matches_spec_vector(vector: dict[str, Any]) -> None:
    assert identity_hash(vector["identifier"], vector["salt"]) == vector["identityHash"]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["identifier"])
def test_matches_spec_vector_in_either_hex_case(vector: dict[str, Any]) -> None:
    algorithm, digest = vector["identityHash"].split("$")
    for candidate in (f"{algorithm}${digest.lower()}", f"{algorithm}${digest.upper()}"):
        assert matches_identity_hash(vector["identifier"], vector["salt"], candidate)


def test_matches_legacy_md5() -> None:
    legacy = "md5$" + hashlib.md5(b"a@example.comKosher", usedforsecurity=False).hexdigest().upper()
    assert matches_identity_hash("a@example.com", "Kosher", legacy)


def test_missing_salt_means_unsalted() -> None:
    assert matches_identity_hash("a@example.com", None, identity_hash("a@example.com", ""))


@pytest.mark.parametrize(
    ("identifier", "salt"),
    [("b@example.com", "Kosher"), ("a@example.com", "kosher"), ("A@example.com", "Kosher")],
)
def test_other_identifier_or_salt_does_not_match(identifier: str, salt: str) -> None:
    assert not matches_identity_hash(identifier, salt, VECTORS[0]["identityHash"])


@pytest.mark.parametrize(
    "malformed",
    [
        "b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",  # no algorithm
        "sha1$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4b",  # unsupported algorithm
        "SHA256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",  # names are lower-case
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef3",  # truncated
        "sha256$z5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",  # not hex
        "a@example.com",  # plaintext
        "",
    ],
)
def test_malformed_hash_does_not_match(malformed: str) -> None:
    assert not matches_identity_hash("a@example.com", "Kosher", malformed)


def test_new_salt_is_random_url_safe_and_long_enough() -> None:
    salts = {new_salt() for _ in range(64)}
    assert len(salts) == 64
    for salt in salts:
        assert len(salt) >= 22  # 16 bytes of entropy in URL-safe base64
        assert set(salt) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@given(identifier=st.text(), salt=st.text())
def test_identity_hash_round_trips(identifier: str, salt: str) -> None:
    hashed = identity_hash(identifier, salt)
    assert hashed.startswith("sha256$")
    assert len(hashed) == len("sha256$") + 64
    assert matches_identity_hash(identifier, salt, hashed)
