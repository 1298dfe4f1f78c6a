"""Proof sets: what a document with several embedded proofs has proven.

VC Data Integrity 1.0 §2.1.1 "Proof Sets" lets a document carry several proofs, in no order, each made
independently. §4.5 "Verify Proof Sets and Chains" verifies *every* proof of the set, and the combined
result is verified only when none fails; it allows verifying a subset instead, provided a proof with a
``previousProof`` counts only when the proofs it names do. OB 3.0 lets a verifier accept any one valid
proof (§9.1 step 2, "Proof"). The rule here, for credentials and presentations alike:

* every proof is looked at (at most `MAX_PROOFS`), and every one is reported (`ProofResult`);
* the subset verified is every proof this verifier *can* check: a proof of a suite, algorithm or key
  type it does not support, one whose verification method cannot be resolved, or one in a proof chain,
  is reported as not checked, and decides nothing;
* the set verifies when at least one proof of that subset verifies and none of it fails (§4.5 step 6):
  a second proof that was checked and does not verify is a failure, never carried silently;
* the proof the rest of the report relies on (its key is bound to the issuer, its suite named) is the
  issuer's own when one of the verified proofs is, else the first verified one, so the order of the
  proofs changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import data_integrity
from .did_key import VerificationMethod
from .errors import KeyResolutionError, ParsingError, UnsupportedError, VcError
from .proofs import MAX_PROOFS, suite_name
from .report import ProofOutcome, ProofResult, ProofState

__all__ = ["ProofSetResult", "proof_state", "verify_each_proof"]

# Verifies one proof of `document`; returns its verification method or raises `VcError`.
ProofVerifier = Callable[[Mapping[str, Any]], VerificationMethod]


@dataclass(frozen=True)
class ProofSetResult:
    outcome: ProofOutcome
    method: VerificationMethod | None  # of the proof relied on, when the set verified
    problem: VcError | None  # why the set did not verify

    @property
    def verified(self) -> bool:
        return self.outcome.state is ProofState.VERIFIED


def proof_state(error: VcError) -> ProofState:
    """Not checked (unsupported, or no key to check it with) is not the same as checked and invalid."""
    if isinstance(error, UnsupportedError):
        return ProofState.UNSUPPORTED
    if isinstance(error, KeyResolutionError):
        return ProofState.KEY_UNRESOLVED
    return ProofState.INVALID


def verify_each_proof(
    document: Mapping[str, Any], verify: ProofVerifier, *, controller: str | None, noun: str = "credential"
) -> ProofSetResult:
    """Verify every proof of `document` with `verify`; `controller` is who should have signed (the
    issuer of a credential, the holder of a presentation), to choose the proof relied on.

    Raises `ParsingError` (or `SignatureError`) when there is no usable proof set at all: none, more than
    `MAX_PROOFS`, or a proof that is not an object.
    """
    proofs = data_integrity.proofs_of(document)
    if not proofs:
        raise ParsingError(f"The {noun} has no proof.")
    if len(proofs) > MAX_PROOFS:
        raise ParsingError(f"More than {MAX_PROOFS} proofs.")
    results: list[ProofResult] = []
    errors: list[VcError | None] = []
    methods: list[VerificationMethod | None] = []
    for proof in proofs:
        method_id = proof.get("verificationMethod")
        method_id = method_id[:500] if isinstance(method_id, str) else None
        try:
            if "previousProof" in proof:
                raise UnsupportedError("The proof is part of a proof chain (previousProof): not supported.")
            method = verify(proof)
        except VcError as error:
            results.append(ProofResult(suite_name(proof), proof_state(error), error.message, method_id))
            errors.append(error)
            methods.append(None)
        else:
            results.append(ProofResult(suite_name(proof), ProofState.VERIFIED, "Verified.", method.id))
            errors.append(None)
            methods.append(method)
    return _combined(tuple(results), errors, methods, controller)


def _combined(
    results: tuple[ProofResult, ...],
    errors: list[VcError | None],
    methods: list[VerificationMethod | None],
    controller: str | None,
) -> ProofSetResult:
    states = [result.state for result in results]
    if ProofState.INVALID in states:  # §4.5 step 6: one failing proof fails the set
        index = states.index(ProofState.INVALID)
        return ProofSetResult(ProofOutcome(ProofState.INVALID, None, results), None, errors[index])
    verified = [index for index, state in enumerate(states) if state is ProofState.VERIFIED]
    if verified:
        own = [index for index in verified if getattr(methods[index], "controller", None) == controller]
        index = (own or verified)[0]
        outcome = ProofOutcome(ProofState.VERIFIED, results[index].suite, results)
        return ProofSetResult(outcome, methods[index], None)
    # Nothing could be checked: a key we could not resolve says more than a suite we do not support.
    index = states.index(ProofState.KEY_UNRESOLVED) if ProofState.KEY_UNRESOLVED in states else 0
    return ProofSetResult(ProofOutcome(states[index], None, results), None, errors[index])
