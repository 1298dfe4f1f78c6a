"""1EdTech Revocation List (VCRL 1.0) status source, composed with Bitstring Status List by entry type.

Everything the list could get wrong fails closed: the status check can only pass on a well-formed list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from server.demo import demo_credential
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.errors import VcError
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.report import CheckId, Outcome
from vc.revocation_list import ENTRY_TYPE, RevocationListSource
from vc.status_list import StatusError, StatusList, status_entry, status_list_credential
from vc.status_sources import CompositeStatusSource, standard_status_source
from vc.verify import Ports, StatusResult, verify_credential

NOW = datetime(2026, 11, 23, tzinfo=UTC)
LIST_URL = "https://college.example.ac.uk/revocations"
CREDENTIAL = {"id": "urn:uuid:2f1d3c5e-0000-4000-8000-000000000001"}
ENTRY = {"id": LIST_URL, "type": ENTRY_TYPE}


def _source(document: Any) -> RevocationListSource:
    def fetch(url: str) -> Any:
        assert url == LIST_URL
        return document

    return RevocationListSource(fetch)


def _check(document: Any, credential: Mapping[str, Any] = CREDENTIAL) -> StatusResult:
    return _source(document).check(ENTRY, credential, NOW)


@pytest.mark.parametrize(
    ("revoked", "is_set"),
    [
        ([], False),
        ([{"id": "urn:uuid:someone-else"}], False),
        ([{"id": CREDENTIAL["id"], "revoked": False}], False),
        ([{"id": CREDENTIAL["id"]}], True),
        ([{"id": CREDENTIAL["id"], "revoked": True}], True),
        ([{"id": CREDENTIAL["id"], "revoked": False}, {"id": CREDENTIAL["id"]}], True),
    ],
    ids=["empty", "another", "withdrawn", "listed", "listed-true", "any-entry-revokes"],
)
def test_revoked_when_listed_and_revoked_is_true_or_absent(revoked: list[Any], is_set: bool) -> None:
    result = _check({"revokedCredentials": revoked})
    assert (result.purpose, result.is_set) == ("revocation", is_set)


def test_ids_match_exactly() -> None:
    # No normalisation: the validator compares the JSON strings, and so do we.
    listed = [{"id": CREDENTIAL["id"].upper()}, {"id": CREDENTIAL["id"] + "/"}]
    assert not _check({"revokedCredentials": listed}).is_set


def test_reason_is_reported_and_bounded() -> None:
    result = _check({"revokedCredentials": [{"id": CREDENTIAL["id"], "revocationReason": "x" * 5000}]})
    assert result.message == "The credential has been revoked. Reason given by the issuer: " + "x" * 200


def test_a_json_text_response_is_parsed_with_the_usual_bounds() -> None:
    assert _check(json.dumps({"revokedCredentials": [{"id": CREDENTIAL["id"]}]})).is_set
    with pytest.raises(VcError, match="duplicate JSON key"):
        _check('{"revokedCredentials": [], "revokedCredentials": []}')


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "not a JSON object"),
        ("<html>Not found</html>", "not valid JSON"),
        ({}, "no revokedCredentials array"),
        ({"revokedCredentials": {"id": CREDENTIAL["id"]}}, "no revokedCredentials array"),
        ({"revokedCredentials": ["urn:uuid:x"]}, "without a string id"),
        ({"revokedCredentials": [{"revoked": True}]}, "without a string id"),
        ({"revokedCredentials": [{"id": CREDENTIAL["id"], "revoked": "false"}]}, "not true or false"),
        ({"revokedCredentials": [{"id": "x", "revocationReason": 7}]}, "not a string"),
    ],
)
def test_malformed_lists_fail_closed(document: Any, problem: str) -> None:
    with pytest.raises(VcError, match=problem):
        _check(document)


def test_unreachable_list_fails_closed() -> None:
    def fetch(url: str) -> Any:
        raise TimeoutError("slow")

    with pytest.raises(StatusError, match="could not be fetched \\(TimeoutError\\)"):
        RevocationListSource(fetch).check(ENTRY, CREDENTIAL, NOW)


@pytest.mark.parametrize(
    "entry",
    [
        {"type": ENTRY_TYPE},
        {"id": "file:///etc/passwd", "type": ENTRY_TYPE},
        {"id": "urn:uuid:list", "type": ENTRY_TYPE},
        {"id": LIST_URL, "type": "BitstringStatusListEntry"},
    ],
)
def test_entries_that_name_no_list_url_are_refused_before_fetching(entry: dict[str, Any]) -> None:
    def fetch(url: str) -> Any:
        raise AssertionError("must not fetch")

    with pytest.raises(StatusError):
        RevocationListSource(fetch).check(entry, CREDENTIAL, NOW)


def test_credential_without_an_id_cannot_be_looked_up() -> None:
    with pytest.raises(StatusError, match="no id"):
        _check({"revokedCredentials": []}, credential={})


class Fixed:
    def __init__(self, is_set: bool) -> None:
        self.is_set = is_set

    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        return StatusResult("revocation", self.is_set, f"fixed {self.is_set}")


def test_composite_dispatches_on_the_entry_type() -> None:
    composite = CompositeStatusSource({"A": Fixed(False), "B": Fixed(True)})
    assert not composite.check({"type": "A"}, CREDENTIAL, NOW).is_set
    assert composite.check({"type": "B"}, CREDENTIAL, NOW).is_set


@pytest.mark.parametrize("entry", [{}, {"type": "StatusList2021Entry"}, {"type": ["A"]}, {"type": 1}])
def test_composite_fails_closed_on_other_types(entry: dict[str, Any]) -> None:
    with pytest.raises(StatusError, match="not supported \\(supported: A\\)"):
        CompositeStatusSource({"A": Fixed(False)}).check(entry, CREDENTIAL, NOW)


# --- both methods through the pipeline, on our own did:key credential ---------------------------------------

KEY = PrivateKey.from_ed25519_secret(bytes(range(11, 43)))
DID = did_key_for(KEY.public_key)
METHOD = did_key_verification_method_id(KEY.public_key)
BITSTRING_URL = "https://college.example.ac.uk/status/1"


def _signed_with_both_entries() -> dict[str, Any]:
    credential = demo_credential(DID)
    credential["@context"] = [
        *credential["@context"],
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    credential["credentialStatus"] = [status_entry(BITSTRING_URL, 7), ENTRY]
    return data_integrity.sign(credential, KEY, METHOD, NOW)


def _server(revoked_ids: list[str]) -> Any:
    bits = StatusList()
    lists = {
        BITSTRING_URL: data_integrity.sign(
            status_list_credential(BITSTRING_URL, DID, bits, "revocation", "2026-01-01T00:00:00Z"),
            KEY,
            METHOD,
            NOW,
        ),
        LIST_URL: {"revokedCredentials": [{"id": credential_id} for credential_id in revoked_ids]},
    }
    return lists.__getitem__


@pytest.mark.parametrize("revoked", [False, True])
def test_bitstring_and_1edtech_entries_together(revoked: bool) -> None:
    credential = _signed_with_both_entries()
    keys = Ports(resolver=DidKeyResolver())
    ports = Ports(
        resolver=keys.resolver,
        status=standard_status_source(_server([credential["id"]] if revoked else []), keys),
    )
    report = verify_credential(credential, ports, NOW)
    status = report.check(CheckId.STATUS)
    assert status is not None
    # (The OB 3.0 schema allows one credentialStatus object only, so the schema check fails here: this
    # test is about the status check, which VC DM 2.0 §4.10 lets take a list.)
    assert status.outcome is (Outcome.FAILED if revoked else Outcome.PASSED)
    assert ("has been revoked" in status.message) is revoked
