"""Proof sets (VC Data Integrity 1.0 §2.1.1, §4.5): every proof is looked at and reported; one that was
checked and does not verify fails the set; one that could not be checked decides nothing; the issuer's
own proof is relied on whatever the order. Before, the first proof that verified won and the others were
carried silently (issue 10, deliverable 2)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import load_vector
from vc import data_integrity
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import PrivateKey
from vc.ports import DidKeyResolver
from vc.report import CheckId, Outcome, ProofState
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 11, 23, tzinfo=UTC)
PORTS = Ports(resolver=DidKeyResolver())
ISSUER = PrivateKey.from_ed25519_secret(bytes(range(31, 63)))
OTHER = PrivateKey.from_ed25519_secret(bytes(range(41, 73)))
EDDSA = "Data Integrity eddsa-rdfc-2022"


def _method(key: PrivateKey) -> str:
    return did_key_verification_method_id(key.public_key)


def unsigned() -> dict[str, Any]:
    credential: dict[str, Any] = copy.deepcopy(
        load_vector("1edtech/ob-v3p0-eddsa-rdfc-2022.json")["unsigned"]
    )
    credential["issuer"]["id"] = did_key_for(ISSUER.public_key)
    return credential


def with_proofs(*proofs: dict[str, Any]) -> dict[str, Any]:
    return {**unsigned(), "proof": list(proofs)}


OURS = data_integrity.create_proof(unsigned(), ISSUER, _method(ISSUER), NOW)
# A second signer's genuine proof over the same credential (a co-signature; not the issuer's key).
COSIGNED = data_integrity.create_proof(unsigned(), OTHER, _method(OTHER), NOW)
UNKNOWN_KEY = {**COSIGNED, "verificationMethod": "did:web:registry.example#key-1"}
UNSUPPORTED = {
    **data_integrity.proofs_of(load_vector("1edtech-validator/sd/derivedcredential.json"))[0],
}
FORGED = {**COSIGNED, "created": "2026-01-01T00:00:00Z"}  # checked, and the signature does not match


def states(report: Any) -> list[ProofState]:
    return [proof.state for proof in report.proof.proofs]


def test_a_single_proof_is_reported_as_data() -> None:
    report = verify_credential(with_proofs(OURS), PORTS, NOW)
    assert report.verified
    assert report.proof.state is ProofState.VERIFIED
    assert report.proof.suite == EDDSA
    assert [(p.suite, p.verification_method) for p in report.proof.proofs] == [(EDDSA, _method(ISSUER))]
    assert report.to_json()["proof"]["proofs"][0]["state"] == "verified"


@pytest.mark.parametrize("order", ["ours first", "ours second"])
@pytest.mark.parametrize(
    ("other", "state"),
    [(UNKNOWN_KEY, ProofState.KEY_UNRESOLVED), (UNSUPPORTED, ProofState.UNSUPPORTED)],
    ids=["unknown key", "unsupported suite"],
)
def test_a_foreign_proof_that_cannot_be_checked_is_reported_not_carried_silently(
    other: dict[str, Any], state: ProofState, order: str
) -> None:
    proofs = (OURS, other) if order == "ours first" else (other, OURS)
    report = verify_credential(with_proofs(*proofs), PORTS, NOW)
    assert report.verified  # it decides nothing: the issuer's proof verified
    assert report.proof.state is ProofState.VERIFIED
    expected = [ProofState.VERIFIED, state] if order == "ours first" else [state, ProofState.VERIFIED]
    assert states(report) == expected
    message = report.check(CheckId.PROOF).message  # type: ignore[union-attr]
    assert "Not checked, so nothing rests on them" in message


@pytest.mark.parametrize("order", ["ours first", "ours second"])
def test_a_second_proof_that_does_not_verify_fails_the_set(order: str) -> None:
    proofs = (OURS, FORGED) if order == "ours first" else (FORGED, OURS)
    report = verify_credential(with_proofs(*proofs), PORTS, NOW)
    assert not report.verified
    assert report.proof.state is ProofState.INVALID
    proof = report.check(CheckId.PROOF)
    assert proof is not None
    assert proof.outcome is Outcome.FAILED
    assert "does not match" in proof.message
    assert "§4.5" in proof.message
    assert sorted(states(report)) == sorted([ProofState.VERIFIED, ProofState.INVALID])


@pytest.mark.parametrize("order", ["cosigner first", "cosigner second"])
def test_the_issuers_own_proof_is_relied_on_whatever_the_order(order: str) -> None:
    # Before, the first proof that verified won: a co-signer's proof first made the key "not the issuer's".
    proofs = (COSIGNED, OURS) if order == "cosigner first" else (OURS, COSIGNED)
    report = verify_credential(with_proofs(*proofs), PORTS, NOW)
    assert report.verified, report.to_json()
    assert report.verification_method == _method(ISSUER)
    assert states(report) == [ProofState.VERIFIED, ProofState.VERIFIED]


def test_a_proof_in_a_chain_is_not_checked() -> None:
    # §4.5 lets a verifier check a subset of the proofs; a chained proof is not in ours.
    chained = {**COSIGNED, "previousProof": "urn:uuid:1"}
    report = verify_credential(with_proofs(OURS, chained), PORTS, NOW)
    assert report.verified
    assert states(report) == [ProofState.VERIFIED, ProofState.UNSUPPORTED]
    assert "proof chain" in report.proof.proofs[1].message


def test_nothing_checkable_is_not_verified_and_says_why() -> None:
    report = verify_credential(with_proofs(UNSUPPORTED, UNKNOWN_KEY), PORTS, NOW)
    assert not report.verified
    assert report.proof.state is ProofState.KEY_UNRESOLVED  # says more than an unsupported suite
    assert "none of the 2 proofs could be checked" in report.check(CheckId.PROOF).message  # type: ignore[union-attr]
