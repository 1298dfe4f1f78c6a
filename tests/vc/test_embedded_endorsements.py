"""`vc.endorsements` on its own (no service): which embedded endorsements are verified, at most
`MAX_ENDORSEMENTS`, and what each one comes to."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from schemas.models import EndorsementCredential, EndorsementSubject, Profile
from server.demo import demo_credential
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.endorsements import MAX_ENDORSEMENTS, embedded_endorsements
from vc.keys import KeyType, PrivateKey
from vc.ports import DidKeyResolver
from vc.report import EndorsementState
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PORTS = Ports(resolver=DidKeyResolver())


def signed(document: dict[str, Any], key: PrivateKey | None = None) -> dict[str, Any]:
    key = key or PrivateKey.generate(KeyType.ED25519)
    return data_integrity.sign(document, key, did_key_verification_method_id(key.public_key), NOW)


def endorsement(subject: str, valid_until: datetime | None = None) -> dict[str, Any]:
    key = PrivateKey.generate(KeyType.ED25519)
    unsigned = EndorsementCredential(
        id="urn:uuid:0b6c2a36-1d4c-4b7a-9a55-1f0c1f4e2a10",
        name="A scheme",
        issuer=Profile(id=did_key_for(key.public_key), name="Anyone"),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_until=valid_until,
        credential_subject=EndorsementSubject(id=subject, endorsement_comment="Good"),
    ).to_json()
    return signed(unsigned, key)


def credential(endorsements: list[Any]) -> dict[str, Any]:
    key = PrivateKey.generate(KeyType.ED25519)
    document = demo_credential(did_key_for(key.public_key))
    document["credentialSubject"]["achievement"]["endorsement"] = endorsements
    return signed(document, key)


def achievement_id() -> str:
    subject: str = demo_credential("did:example:x")["credentialSubject"]["achievement"]["id"]
    return subject


def test_at_most_eight_endorsements_are_verified() -> None:
    many = [endorsement(achievement_id()) for _ in range(MAX_ENDORSEMENTS + 2)]
    document = credential(many)
    assert len(embedded_endorsements(document)) == MAX_ENDORSEMENTS
    report = verify_credential(document, PORTS, NOW)
    assert report.verified
    assert [result.state for result in report.endorsements] == [EndorsementState.VERIFIED] * MAX_ENDORSEMENTS
    assert all(result.endorses_this and not result.scheme_operator for result in report.endorsements)


def test_each_endorsement_comes_to_its_own_state() -> None:
    expired = endorsement(achievement_id(), valid_until=datetime(2026, 6, 1, tzinfo=UTC))
    altered = copy.deepcopy(endorsement(achievement_id()))
    altered["name"] = "Another scheme"
    not_an_endorsement = signed(demo_credential("did:example:someone"))
    document = credential([expired, altered, not_an_endorsement, "not.a.jwt", 42])
    states = [result.state for result in verify_credential(document, PORTS, NOW).endorsements]
    assert states == [
        EndorsementState.EXPIRED,
        EndorsementState.NOT_VERIFIED,  # altered after signing
        EndorsementState.NOT_VERIFIED,  # a credential, but no EndorsementCredential
        EndorsementState.NOT_VERIFIED,  # a string that is no VC-JWT
    ]  # 42 is no endorsement at all: skipped


def test_an_endorsement_without_its_own_proof_is_not_verified() -> None:
    genuine = endorsement(achievement_id())
    unsigned = {key: value for key, value in endorsement(achievement_id()).items() if key != "proof"}
    report = verify_credential(credential([genuine, unsigned]), PORTS, NOW)
    assert [result.state for result in report.endorsements] == [
        EndorsementState.VERIFIED,
        EndorsementState.NOT_VERIFIED,  # no proof of its own
    ]
