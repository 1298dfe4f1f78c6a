"""Holder binding (OB 3.0 §9.1 step 5): a credential's recipient identity against what the learner has
proved is theirs, in every form an OB 3.0 credential names its recipient."""

from __future__ import annotations

from typing import Any

import pytest

from passport.holder_binding import HolderIdentity, Recipient, recipient_of
from schemas.identity import identity_hash, recipient_claims

SAM = HolderIdentity(["Sam@Example.com", "sam.work@example.org"], lambda: ["did:key:z6MkSam"])


def hashed(email: str, salt: str | None = "pepper", **fields: Any) -> dict[str, Any]:
    digest = identity_hash(email, salt or "")
    identity = {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": digest,
    }
    return {**identity, **({"salt": salt} if salt is not None else {}), **fields}


def subject(**fields: Any) -> dict[str, Any]:
    return {"credentialSubject": {"type": ["AchievementSubject"], **fields}}


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        (subject(identifier=[hashed("sam@example.com")]), Recipient.HOLDER),
        (subject(identifier=[hashed("sam.work@example.org", salt=None)]), Recipient.HOLDER),  # unsalted
        (subject(identifier=[hashed("alex@example.com"), hashed("sam@example.com")]), Recipient.HOLDER),
        (subject(identifier=[hashed("alex@example.com")]), Recipient.NOT_HOLDER),
        (
            subject(identifier=[{**hashed("x"), "hashed": False, "identityHash": "SAM@example.com"}]),
            Recipient.HOLDER,
        ),
        (
            subject(identifier=[{**hashed("x"), "hashed": False, "identityHash": "alex@example.com"}]),
            Recipient.NOT_HOLDER,
        ),
        (subject(id="mailto:sam%40example.com"), Recipient.HOLDER),
        (subject(id="mailto:alex@example.com"), Recipient.NOT_HOLDER),
        (subject(id="did:key:z6MkSam"), Recipient.HOLDER),  # the learner's holder DID
        (subject(id="did:key:z6MkSomeoneElse"), Recipient.UNKNOWN),  # a DID nobody here can vouch for
        (subject(identifier=[{**hashed("sam@example.com"), "identityType": "sourcedId"}]), Recipient.UNKNOWN),
        (subject(identifier=[{**hashed("sam@example.com"), "hashed": "yes"}]), Recipient.UNKNOWN),
        (subject(), Recipient.UNKNOWN),
        ({"credentialSubject": "sam@example.com"}, Recipient.UNKNOWN),
        ({}, Recipient.UNKNOWN),
        (
            {
                "credentialSubject": [
                    subject(id="did:example:1")["credentialSubject"],
                    subject(identifier=[hashed("sam@example.com")])["credentialSubject"],
                ]
            },
            Recipient.HOLDER,
        ),
    ],
)
def test_the_recipient_in_every_form(credential: dict[str, Any], expected: Recipient) -> None:
    assert recipient_of(recipient_claims(credential), SAM) is expected


def test_a_hash_is_of_the_address_as_given_so_the_issued_address_counts_as_given() -> None:
    """OB 3.0 §B.3 hashes the identifier as given: this service's providers keep the local part's case,
    and the passport keeps addresses in lower case. A credential of this service is matched with the
    address it was issued to, exactly as the provider gave it."""
    credential = subject(identifier=[hashed("Sam@example.com")])
    claims = recipient_claims(credential)
    assert recipient_of(claims, SAM) is Recipient.NOT_HOLDER
    assert recipient_of(claims, SAM, also_as_given="Sam@example.com") is Recipient.HOLDER


def test_the_holder_did_is_read_only_for_a_credential_that_names_a_did() -> None:
    asked: list[int] = []

    def holder_dids() -> list[str]:
        asked.append(1)
        return ["did:key:z6MkSam"]

    holder = HolderIdentity(["sam@example.com"], holder_dids)

    def answer(credential: dict[str, Any]) -> Recipient:
        return recipient_of(recipient_claims(credential), holder)

    assert answer(subject(identifier=[hashed("sam@example.com")])) is Recipient.HOLDER
    assert answer(subject(id="mailto:sam@example.com")) is Recipient.HOLDER
    assert asked == []
    assert answer(subject(id="did:key:z6MkSam")) is Recipient.HOLDER
    assert answer(subject(id="did:key:z6MkOther")) is Recipient.UNKNOWN
    assert asked == [1]  # once
