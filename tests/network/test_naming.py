"""One rule for an issuer's name on every page and answer: the registry, then this service's provider
table, else the credential's own claim, shown as not confirmed (`network.naming`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from network.naming import IssuerName, NameSource, ProviderRecord, issuer_name
from tests.passport.test_trust_shown import self_signed
from tests.verification.conftest import ExternalIssuer
from vc.report import Check, CheckId, Outcome, ProofOutcome, ProofState, VerificationReport

WEB_ISSUER = "did:web:college.example%3A8443:credentials"


def report(
    issuer_id: str = WEB_ISSUER, proof: ProofState = ProofState.VERIFIED, bound: bool = True, **trust: Any
) -> VerificationReport:
    checks = [
        Check(CheckId.ISSUER_KEY_BINDING, Outcome.PASSED if bound else Outcome.WARNING, "k"),
        Check(CheckId.ISSUER_TRUST, Outcome.WARNING, "t", details=trust),
    ]
    credential = {"issuer": {"id": issuer_id, "name": "  Oxford   University ", "image": "https://x/l.png"}}
    return VerificationReport(
        checks=checks, credential=credential, issuer_id=issuer_id, proof=ProofOutcome(proof)
    )


def test_the_registry_first_then_the_provider_then_the_claim_said_to_be_one() -> None:
    registered = issuer_name(report(issuerName="Midlands College", issuerLogo="https://r/l.png"))
    assert registered == IssuerName(WEB_ISSUER, "Midlands College", NameSource.REGISTRY, "https://r/l.png")
    assert registered.shown == "Midlands College"
    provider = issuer_name(report(), ProviderRecord("Unlisted Training Ltd", "https://p/l.png"))
    assert (provider.name, provider.source, provider.logo_url) == (
        "Unlisted Training Ltd",
        NameSource.PROVIDER,
        "https://p/l.png",
    )
    claimed = issuer_name(report())
    assert claimed.source is NameSource.SELF_ASSERTED
    assert claimed.logo_url is None  # never the credential's image
    assert claimed.to_json() == {
        "id": WEB_ISSUER,
        "name": "Oxford University",  # spaces collapsed
        "name_source": "self_asserted",
        "logo_url": None,
    }
    assert claimed.shown == (
        "Names itself \u201cOxford University\u201d \u2014 not confirmed; "
        "its key is published by college.example"
    )


def test_what_a_forgery_or_an_unbound_key_says_is_not_repeated() -> None:
    forged = issuer_name(report(proof=ProofState.INVALID))
    assert (forged.name, forged.source, forged.shown) == (None, None, "Not confirmed")
    unbound = issuer_name(report(bound=False))
    assert unbound.domain is None  # the domain is confirmed only once the key is the issuer's
    assert unbound.shown == "Names itself \u201cOxford University\u201d \u2014 not confirmed"
    nameless = issuer_name(
        VerificationReport(
            checks=[], credential={"issuer": "did:key:z6Mk"}, proof=ProofOutcome(ProofState.VERIFIED)
        )
    )
    assert (nameless.name, nameless.source) == (None, None)


def test_the_check_page_says_a_self_signed_credential_merely_names_itself(client: TestClient) -> None:
    answer = client.post("/verify", data={"credential": json.dumps(self_signed("Midlands College"))})
    assert answer.status_code == 200
    assert (
        "<dt>Issued by</dt><dd>Names itself \u201cMidlands College\u201d \u2014 not confirmed; "
        "signed with a key no organisation has published</dd>"
    ) in answer.text


def test_the_check_page_gives_a_did_web_issuers_domain(client: TestClient, college: ExternalIssuer) -> None:
    answer = client.post("/verify", data={"credential": json.dumps(college.sign(college.credential()))})
    assert "its key is published by college.example</dd>" in answer.text
