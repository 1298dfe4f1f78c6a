"""CLR 2.0 export: built CLRs pass the 1EdTech schema, embed credentials exactly as issued, sign in the
format the size calls for, verify with our own pipeline (each bundled credential too), and any change
to the CLR or to a bundled credential is caught. The 1EdTech CLR vector still verifies."""

from __future__ import annotations

import base64
import copy
import functools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.clr import Association
from schemas.models import IdentityObject
from schemas.validation import SchemaName, schema_errors
from server.demo import demo_credential
from tests.conftest import load_vector
from vc import data_integrity
from vc.clr import (
    CLR_LIMITS,
    LDP_MAX_BYTES,
    MAX_EMBEDDED_CREDENTIALS,
    build_clr,
    embeddable_form,
    read_clr,
    sign_clr,
    validate_clr,
    verify_clr,
)
from vc.did_key import VerificationMethod, did_key_for, did_key_verification_method_id
from vc.errors import NotEmbeddableError, ParsingError, SchemaError
from vc.jwt import decode_jwt, sign_jwt
from vc.keys import KeyType, PrivateKey, PublicKey
from vc.parsing import Limits
from vc.ports import ChainResolver, DidKeyResolver, StaticResolver
from vc.report import CheckId, Outcome
from vc.verify import Ports, verify_credential

NOW = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
ISSUED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
CLR_ID = "urn:uuid:5b0e3c52-3f4e-4f57-9c0e-8a0f5d1c2b7a"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"


@functools.cache
def _issuer_key() -> PrivateKey:
    return PrivateKey.generate(KeyType.ED25519)


@functools.cache
def _publisher_key() -> PrivateKey:
    return PrivateKey.generate(KeyType.ED25519)


def _did(key: PrivateKey) -> str:
    return did_key_for(key.public_key)


def _method(key: PrivateKey) -> str:
    return did_key_verification_method_id(key.public_key)


def publisher() -> dict[str, Any]:
    return {"id": _did(_publisher_key()), "type": ["Profile"], "name": "Skills Passport"}


PORTS = Ports(resolver=DidKeyResolver())


def unsigned(index: int, *, padding: int = 0) -> dict[str, Any]:
    """The demo course credential as one issuer issues it for its index-th achievement."""
    credential = demo_credential(_did(_issuer_key()), salt=f"salt-{index}")
    credential["id"] = f"urn:uuid:00000000-0000-4000-8000-{index:012d}"
    achievement = credential["credentialSubject"]["achievement"]
    achievement["id"] = f"{achievement['id']}-{index}"
    achievement["name"] = f"Course {index}"
    grade = f"{achievement['id']}#grade"
    achievement["resultDescription"][0]["id"] = grade
    credential["credentialSubject"]["result"][0]["resultDescription"] = grade
    if padding:
        achievement["description"] += " " + "x" * padding
    return credential


@functools.cache
def _held(index: int, padding: int = 0) -> str:
    signed = data_integrity.sign(
        unsigned(index, padding=padding), _issuer_key(), _method(_issuer_key()), ISSUED
    )
    return json.dumps(signed)


def held(count: int, *, start: int = 0, padding: int = 0) -> list[dict[str, Any]]:
    """Signed credentials (fresh copies, so a test may change them)."""
    return [json.loads(_held(index, padding)) for index in range(start, start + count)]


def clr_of(credentials: list[Any], **options: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "id": CLR_ID,
        "name": "Sam Learner's skills passport",
        "publisher": publisher(),
        "now": NOW,
        "identifiers": [IdentityObject.hashed_email("sam.learner@example.com", "clr-salt")],
    }
    return build_clr(credentials, **{**defaults, **options})


def sign(clr: dict[str, Any], **options: Any) -> Any:
    return sign_clr(clr, _publisher_key(), _method(_publisher_key()), NOW, **options)


# -- building ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 12])
def test_built_clr_passes_the_1edtech_clr_schema(count: int) -> None:
    clr = clr_of(held(count))
    assert validate_clr(clr) == []
    assert clr["@context"][:3] == [
        VC_V2,
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"] == publisher()
    assert clr["validFrom"] == "2026-08-01T12:00:00Z"
    assert clr["partial"] is False
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert len(subject["verifiableCredential"]) == count


def test_bundled_credentials_are_exactly_as_issued() -> None:
    originals = held(5)
    clr = clr_of(copy.deepcopy(originals))
    embedded = clr["credentialSubject"]["verifiableCredential"]
    assert embedded == originals
    assert [json.dumps(item) for item in embedded] == [
        json.dumps(item) for item in originals
    ]  # key order too
    assert all(item["proof"]["verificationMethod"] == _method(_issuer_key()) for item in embedded)


def test_credentials_held_as_json_text_are_embedded_as_objects() -> None:
    originals = held(2)
    clr = clr_of([json.dumps(originals[0], indent=2), originals[1]])
    assert clr["credentialSubject"]["verifiableCredential"] == originals
    with pytest.raises(NotEmbeddableError, match="not a JSON credential"):
        embeddable_form('{"a": 1, "a": 2}')


def test_a_selection_is_partial() -> None:
    clr = clr_of(held(2), partial=True, description="For my application to Example Ltd")
    assert clr["partial"] is True
    assert clr["description"] == "For my application to Example Ltd"
    assert validate_clr(clr) == []


def test_achievements_and_associations() -> None:
    credentials = held(3)
    ids = [item["credentialSubject"]["achievement"]["id"] for item in credentials]
    awarded_again = unsigned(0)  # the first achievement, awarded a second time
    awarded_again["id"] = "urn:uuid:00000000-0000-4000-8000-0000000000aa"
    credentials.append(data_integrity.sign(awarded_again, _issuer_key(), _method(_issuer_key()), ISSUED))
    association = Association(association_type="isPartOf", source_id=ids[1], target_id=ids[0])
    clr = clr_of(credentials, include_achievements=True, associations=[association])
    subject = clr["credentialSubject"]
    assert [item["id"] for item in subject["achievement"]] == ids
    assert subject["achievement"][0] == credentials[0]["credentialSubject"]["achievement"]
    assert subject["association"] == [
        {"type": "Association", "associationType": "isPartOf", "sourceId": ids[1], "targetId": ids[0]}
    ]
    assert validate_clr(clr) == []


def test_the_learner_must_be_identified() -> None:
    with pytest.raises(ValueError, match="'id' or at least one 'identifier'"):
        clr_of(held(1), identifiers=[])
    assert clr_of(held(1), identifiers=[], learner_id="did:example:sam")["credentialSubject"]["id"] == (
        "did:example:sam"
    )


def test_nothing_that_fails_the_clr_schema_leaves_build_clr() -> None:
    credentials = held(2)
    credentials[1]["proof"] = {"created": "yesterday"}  # an embedded proof, but not a Proof
    with pytest.raises(SchemaError) as raised:
        clr_of(credentials)
    assert "verifiableCredential[1].proof.created: 'yesterday' is not a 'date-time'" in raised.value.message
    assert len(raised.value.message) < 1_000  # not the bundled credentials, quoted whole


def test_a_credential_may_appear_once() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        clr_of(held(1) + held(1))


def test_at_most_max_embedded_credentials() -> None:
    template = held(1)[0]
    many = [{**template, "id": f"urn:uuid:{index}"} for index in range(MAX_EMBEDDED_CREDENTIALS + 1)]
    with pytest.raises(ValueError, match="at most 2000"):
        clr_of(many)


# -- what a CLR cannot carry: VC-JWT-only, VC 1.1, unsigned ---------------------------------------------


def test_an_enveloped_credential_fails_the_clr_schema() -> None:
    """Why a VC-JWT is not embedded as a VC DM 2.0 §4.13 EnvelopedVerifiableCredential: the 1EdTech CLR
    schema requires each verifiableCredential entry to be a credential object."""
    token = sign_jwt(unsigned(0), _issuer_key(), kid=_method(_issuer_key()))
    clr = clr_of(held(1))
    clr["credentialSubject"]["verifiableCredential"].append(
        {"@context": VC_V2, "id": f"data:application/vc+jwt,{token}", "type": "EnvelopedVerifiableCredential"}
    )
    errors = schema_errors(clr, SchemaName.CLR_CREDENTIAL)
    assert any("verifiableCredential" in error for error in errors)
    clr["credentialSubject"]["verifiableCredential"][-1] = token  # nor as a bare compact JWS
    assert schema_errors(clr, SchemaName.CLR_CREDENTIAL)


def test_a_vc_jwt_only_credential_is_refused_by_default() -> None:
    token = sign_jwt(unsigned(0), _issuer_key(), kid=_method(_issuer_key()))
    with pytest.raises(NotEmbeddableError, match=r"credential 1: a credential secured only as a VC-JWT"):
        clr_of([*held(1, start=1), token])


def test_leaving_out_what_cannot_be_embedded_makes_the_clr_partial() -> None:
    token = sign_jwt(unsigned(0), _issuer_key(), kid=_method(_issuer_key()))
    clr = clr_of([token, *held(2, start=1)], omit_not_embeddable=True)
    assert clr["partial"] is True
    assert [item["id"] for item in clr["credentialSubject"]["verifiableCredential"]] == [
        item["id"] for item in held(2, start=1)
    ]
    with pytest.raises(NotEmbeddableError, match="at least one"):
        clr_of([token], omit_not_embeddable=True)


def test_a_vc_jwt_carrying_an_embedded_proof_is_embedded_as_that_signed_credential() -> None:
    """OB 3.0 §8.2: a VC-JWT payload may carry Linked Data proofs; the signed credential inside is
    embeddable, and verifies on its own."""
    signed = held(1)[0]
    token = sign_jwt(signed, _issuer_key(), kid=_method(_issuer_key()))
    assert embeddable_form(token) == signed
    clr = clr_of([token])
    assert clr["credentialSubject"]["verifiableCredential"] == [signed]
    report = verify_clr(sign(clr).credential, PORTS, NOW)
    assert report.verified
    assert report.all_credentials_verified


@pytest.mark.parametrize(
    ("credential", "message"),
    [
        (load_vector("1edtech-validator/simple_v1.json"), "VC 1.1 credential"),
        ({k: v for k, v in unsigned(0).items()}, "no embedded proof"),
        ({**unsigned(0), "proof": []}, "no embedded proof"),
        ({**unsigned(0), "@context": [OB_302]}, "must be a list starting with"),
        ({**unsigned(0), "type": ["OpenBadgeCredential"], "proof": {}}, "VerifiableCredential"),
        ("not.a.jwt", "not a VC-JWT"),
    ],
)
def test_what_is_not_embeddable(credential: Any, message: str) -> None:
    with pytest.raises(NotEmbeddableError, match=message):
        embeddable_form(credential)


# -- signing: the format the size calls for ---------------------------------------------------------


def test_a_small_clr_is_signed_with_data_integrity_and_verifies() -> None:
    signed = sign(clr_of(held(3)))
    assert signed.format == "ldp"
    assert signed.credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed.credential["proof"]["verificationMethod"] == _method(_publisher_key())
    report = verify_clr(signed.credential, PORTS, NOW)
    assert report.verified, report.to_json()
    assert report.clr.format == "ldp"
    assert "Data Integrity eddsa-rdfc-2022" in report.clr.check(CheckId.PROOF).message  # type: ignore[union-attr]
    assert report.clr.issuer_id == publisher()["id"]
    assert len(report.credentials) == 3
    assert report.all_credentials_verified
    assert [credential.issuer_id for credential in report.credentials] == [_did(_issuer_key())] * 3


def test_a_clr_beyond_half_the_ordinary_document_bound_is_a_vc_jwt_and_verifies() -> None:
    clr = clr_of(held(12, padding=50_000))  # ~55 KB each: 12 make more than 512 KiB
    assert len(json.dumps(clr)) > LDP_MAX_BYTES
    signed = sign(clr)
    assert signed.format == "jwt"
    assert decode_jwt(signed.credential, max_bytes=CLR_LIMITS.max_document_bytes).credential == clr
    report = verify_clr(signed.credential, PORTS, NOW)
    assert report.verified, report.clr.to_json()
    assert report.clr.format == "jwt"
    assert report.all_credentials_verified


def test_a_vc_jwt_clr_beyond_the_ordinary_bound_verifies_only_as_a_clr() -> None:
    clr = clr_of(held(30, padding=50_000))
    token = sign(clr, proof_format="jwt").credential
    assert len(token) * 3 // 4 > 1024 * 1024  # a payload over the ordinary 1 MiB
    ordinary = verify_credential(token, PORTS, NOW)
    assert not ordinary.verified
    assert ordinary.checks[0].id is CheckId.WELL_FORMED
    assert "limit" in ordinary.checks[0].message
    report = verify_clr(token, PORTS, NOW)
    assert report.verified
    assert len(report.credentials) == 30


def test_an_rsa_publisher_key_signs_rs256() -> None:
    key = PrivateKey.generate(KeyType.RSA)
    method = VerificationMethod(
        id="https://passport.example.ac.uk/publisher#rsa",
        type="JsonWebKey",
        controller="https://passport.example.ac.uk/publisher",
        public_key=key.public_key,
    )
    clr = clr_of(held(1), publisher={"id": method.controller, "type": ["Profile"], "name": "Skills Passport"})
    signed = sign_clr(clr, key, method.id, NOW)
    assert signed.format == "jwt"
    assert decode_jwt(signed.credential).header["alg"] == "RS256"
    resolver = ChainResolver({"did:key:": DidKeyResolver(), "https://": StaticResolver([method])})
    assert verify_clr(signed.credential, Ports(resolver=resolver), NOW).verified


def test_bundled_credentials_under_two_ob_contexts_sign_as_a_vc_jwt() -> None:
    """OB 3.0.2 and 3.0.3 define protected terms differently, so no JSON-LD processor can expand a
    document that holds both: Data Integrity is impossible, VC-JWT needs no JSON-LD."""
    older = unsigned(7)
    older["@context"] = [VC_V2, OB_302]
    del older["credentialSubject"]["achievement"]["inLanguage"]  # a term OB 3.0.3 added
    older_signed = data_integrity.sign(older, _issuer_key(), _method(_issuer_key()), ISSUED)
    signed = sign(clr_of([*held(1), older_signed]))
    assert signed.format == "jwt"
    report = verify_clr(signed.credential, PORTS, NOW)
    assert report.verified
    assert report.all_credentials_verified
    with pytest.raises(Exception, match="protected term"):
        sign(clr_of([*held(1), older_signed]), proof_format="ldp")


def test_forced_formats() -> None:
    clr = clr_of(held(2))
    assert sign(clr, proof_format="jwt").format == "jwt"
    assert sign(clr, proof_format="ldp").format == "ldp"


def test_a_data_integrity_clr_over_the_statement_bound_needs_the_clr_limits() -> None:
    """The canonicalised CLR is bounded separately from an ordinary credential: verified under a bound
    it exceeds, it fails; under the CLR bound, it verifies."""
    signed = sign(clr_of(held(6)), proof_format="ldp").credential
    tight = verify_clr(signed, PORTS, NOW, limits=Limits(max_statements=300))
    assert not tight.verified
    assert "the limit is 300" in tight.clr.check(CheckId.PROOF).message  # type: ignore[union-attr]
    assert tight.credentials == []
    assert verify_clr(signed, PORTS, NOW).verified


# -- verification: tampering, limits, the 1EdTech vector --------------------------------------------


@pytest.mark.parametrize("proof_format", ["ldp", "jwt"])
def test_a_changed_clr_fails_and_nothing_it_bundles_is_checked(proof_format: str) -> None:
    signed = sign(clr_of(held(2)), proof_format=proof_format).credential
    if proof_format == "ldp":
        signed["name"] = "Someone else's record"
    else:
        header, payload, signature = signed.split(".")
        document = json.loads(base64.urlsafe_b64decode(payload + "=="))
        document["name"] = "Someone else's record"
        forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
        signed = f"{header}.{forged}.{signature}"
    report = verify_clr(signed, PORTS, NOW)
    assert not report.verified
    assert report.clr.check(CheckId.PROOF).outcome is Outcome.FAILED  # type: ignore[union-attr]
    assert report.credentials == []
    assert report.credentials_problem == "Not checked: the CLR itself did not verify."


@pytest.mark.parametrize("proof_format", ["ldp", "jwt"])
def test_a_changed_credential_inside_a_genuine_clr_fails_on_its_own(proof_format: str) -> None:
    """The publisher signed a record holding a forged credential: the CLR verifies, the credential not."""
    credentials = held(3)
    credentials[1]["credentialSubject"]["achievement"]["name"] = "Brain Surgery (Level 7)"
    report = verify_clr(sign(clr_of(credentials), proof_format=proof_format).credential, PORTS, NOW)
    assert report.verified
    assert [credential.verified for credential in report.credentials] == [True, False, True]
    assert report.credentials[1].check(CheckId.PROOF).outcome is Outcome.FAILED  # type: ignore[union-attr]
    assert not report.all_credentials_verified
    assert report.to_json()["credentialsVerified"] == 2


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _string_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _string_paths(item, (*path, index))]
    return [path] if isinstance(value, str) else []


@functools.cache
def _small_signed_clr() -> str:
    return json.dumps(sign(clr_of(held(2)), proof_format="ldp").credential)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_change_to_a_signed_clr_is_caught(data: st.DataObject) -> None:
    """Changing any string anywhere (the envelope, a bundled credential, either's proof) fails the CLR's
    proof, or the well-formedness check before it."""
    document = json.loads(_small_signed_clr())
    path = data.draw(st.sampled_from(_string_paths(document)))
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] += data.draw(st.sampled_from(["x", " ", "0", "é"]))
    report = verify_clr(document, PORTS, NOW)
    assert not report.verified
    assert report.credentials == []


def test_an_ordinary_credential_never_gets_the_clr_limits() -> None:
    credential = held(1)[0]
    assert verify_credential(credential, PORTS, NOW).verified
    report = verify_credential(credential, PORTS, NOW, limits=CLR_LIMITS)
    assert not report.verified
    assert report.checks[0].outcome is Outcome.FAILED
    assert "ClrCredential only" in report.checks[0].message
    clr_report = verify_clr(credential, PORTS, NOW)
    assert not clr_report.verified
    assert clr_report.credentials == []
    tighter = verify_credential(credential, PORTS, NOW, limits=Limits(max_statements=50))
    assert tighter.checks[0].outcome is Outcome.PASSED  # a smaller bound is not a stretched one
    assert "the limit is 50" in tighter.check(CheckId.PROOF).message  # type: ignore[union-attr]


def test_the_1edtech_clr_vector_verifies_and_so_does_its_credential() -> None:
    vector = load_vector("1edtech/clr-v2p0-eddsa-rdfc-2022.json")
    pair = vector["keyPair"]
    method = VerificationMethod(
        id=pair["verificationMethod"],
        type="Multikey",
        controller=pair["controller"],
        public_key=PublicKey.from_multibase(pair["publicKeyMultibase"]),
    )
    report = verify_clr(vector["signed"], Ports(resolver=StaticResolver([method])), NOW)
    assert report.verified, report.to_json()
    assert len(report.credentials) == 1
    assert report.credentials[0].verified, report.credentials[0].to_json()


def test_an_expired_bundled_credential_does_not_make_the_record_false() -> None:
    expiring = unsigned(3)
    expiring["validUntil"] = "2026-07-15T00:00:00Z"
    credential = data_integrity.sign(expiring, _issuer_key(), _method(_issuer_key()), ISSUED)
    report = verify_clr(sign(clr_of([*held(1), credential])).credential, PORTS, NOW)
    assert report.verified
    assert [credential.verified for credential in report.credentials] == [True, False]
    assert report.credentials[1].check(CheckId.VALIDITY_PERIOD).outcome is Outcome.FAILED  # type: ignore[union-attr]


def test_a_clr_not_yet_valid_is_not_verified() -> None:
    signed = sign(clr_of(held(1), now=NOW + timedelta(days=1))).credential
    report = verify_clr(signed, PORTS, NOW)
    assert not report.verified
    assert report.clr.check(CheckId.VALIDITY_PERIOD).outcome is Outcome.FAILED  # type: ignore[union-attr]


def test_an_entry_that_is_not_a_credential_gets_a_failed_report() -> None:
    clr = clr_of(held(1))
    clr["credentialSubject"]["verifiableCredential"].append(42)
    report = verify_clr(sign(clr, proof_format="jwt").credential, PORTS, NOW)
    assert not report.verified  # the CLR schema refuses it
    assert report.clr.check(CheckId.SCHEMA).outcome is Outcome.FAILED  # type: ignore[union-attr]
    assert [credential.verified for credential in report.credentials] == [True, False]
    assert report.credentials[1].checks[0].message == "The entry is not a credential."
    assert len(report.credentials[1].checks) == len(CheckId)


# -- reading untrusted input --------------------------------------------------------------------------


def test_read_clr() -> None:
    signed = sign(clr_of(held(1)))
    assert read_clr(json.dumps(signed.credential).encode()) == signed.credential
    token = sign(clr_of(held(1)), proof_format="jwt").credential
    assert read_clr(f"  {token}\n".encode()) == token
    with pytest.raises(ParsingError, match="JSON object or a compact VC-JWT"):
        read_clr(b"[]")
    with pytest.raises(ParsingError, match="larger than"):
        read_clr(b" " * (2 * CLR_LIMITS.max_document_bytes + 1))
    with pytest.raises(ParsingError, match="limit"):
        read_clr(b'{"a": "' + b"x" * CLR_LIMITS.max_document_bytes + b'"}')
