"""The signed trust list: the register of accredited issuers as a credential, and its offline checker.

Pure (no database, no web), so a verifier elsewhere, or ``passport verify`` offline with a cached copy,
can use it: `load_trust_list` checks the operator's Data Integrity proof (eddsa-rdfc-2022) and returns a
`TrustList`; `SnapshotTrustRegistry` answers the `vc.verify.IssuerRegistry` port from it.

**Vocabulary (VC Data Model 2.0 §5.2 Extensibility).** The 2.0 base context has no ``@vocab``: a term no
context defines is an error in strict JSON-LD, and the only standard fallback, the "undefined terms"
context, is not bundled and would give the terms no meaning. No bundled context defines trust-list terms,
and we invent no context URL. So the list uses the bundled contexts' terms where they fit (VC 2.0:
``issuer``, ``validFrom``, ``name``, ``description``; OB 3.0: ``Profile``, ``url``, ``image``) and
**absolute IRIs** for the rest, which JSON-LD expands as themselves with no term definition:

* ``https://schema.org/ItemList`` with ``version``, ``dateModified`` and ``itemListElement``: the register;
* one ``https://schema.org/Certification`` per accreditation: ``about`` (the issuer's Profile: id,
  name, url, logo as ``image``), ``certificationStatus`` (active, suspended, withdrawn), ``validFrom``,
  ``expires``, ``dateModified`` (when the status last changed) and ``description`` (why);
* its scope, in the terms a credential uses: OB 3.0 ``achievementType`` and ``fieldOfStudy`` (by their
  vocabulary IRIs) and schema.org ``educationalLevel`` ("RQF 3"). An absent list means "any".

The shape is strict (unknown members are refused), so what is read from the JSON is exactly what the
signature covers: no member the parser skips could carry a statement the signer did not make.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.loader import VC_V2_CONTEXT, OfflineDocumentLoader
from schemas.models import OB_V3P0_CONTEXT
from schemas.vocabulary import ACHIEVEMENT_TYPES, KIND_OF_ACHIEVEMENT_TYPE, AchievementKind
from vc import data_integrity
from vc.did_key import VerificationMethod
from vc.errors import VcError
from vc.fields import parse_datetime
from vc.parsing import check_depth, parse_json
from vc.ports import KeyResolver, StaticResolver
from vc.proofs import MAX_PROOFS
from vc.report import Trust
from vc.verify import TrustDecision

from .trust_policy import Operator, RegistryEntry, Scope, State, decide, operator_decision

CONTEXT = [VC_V2_CONTEXT, OB_V3P0_CONTEXT]
SCHEMA_ORG = "https://schema.org/"
OB_VOCAB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
REGISTER_TYPE = "https://schema.org/ItemList"
ACCREDITATION_TYPE = "https://schema.org/Certification"
KINDS = frozenset(kind.value for kind in AchievementKind)


class TrustListError(Exception):
    """The document is not a trust list signed by the operator; the message says why."""


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(value: str, what: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        raise TrustListError(f"{what} {value[:40]!r} is not a date-time with a timezone")
    return moment


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Image(_Shape):
    id: str
    type: Literal["Image"]


class _Profile(_Shape):
    id: str
    type: Literal["Profile"]
    name: str
    url: str | None = None
    image: _Image | None = None


class _Accreditation(_Shape):
    id: str
    type: Literal["https://schema.org/Certification"]
    about: _Profile = Field(validation_alias=SCHEMA_ORG + "about")
    status: Literal["active", "suspended", "withdrawn"] = Field(
        validation_alias=SCHEMA_ORG + "certificationStatus"
    )
    valid_from: str = Field(validation_alias=SCHEMA_ORG + "validFrom")
    expires: str = Field(validation_alias=SCHEMA_ORG + "expires")
    status_changed: str = Field(validation_alias=SCHEMA_ORG + "dateModified")
    description: str | None = None
    levels: list[str] = Field(default_factory=list, validation_alias=SCHEMA_ORG + "educationalLevel")
    sectors: list[str] = Field(default_factory=list, validation_alias=OB_VOCAB + "fieldOfStudy")
    achievement_types: list[str] = Field(default_factory=list, validation_alias=OB_VOCAB + "achievementType")


class _Register(_Shape):
    id: str
    type: Literal["https://schema.org/ItemList"]
    name: str
    version: int = Field(ge=0, validation_alias=SCHEMA_ORG + "version")
    date_modified: str = Field(validation_alias=SCHEMA_ORG + "dateModified")
    elements: list[_Accreditation] = Field(
        default_factory=list, validation_alias=SCHEMA_ORG + "itemListElement"
    )


class _Operator(_Shape):
    id: str
    name: str


class _TrustListCredential(_Shape):
    context: list[str] = Field(validation_alias="@context")
    id: str
    type: list[Literal["VerifiableCredential"]]
    name: str
    issuer: _Operator
    valid_from: str = Field(validation_alias="validFrom")
    valid_until: str = Field(validation_alias="validUntil")
    credential_subject: _Register = Field(validation_alias="credentialSubject")
    proof: Any = None


@dataclass(frozen=True)
class TrustList:
    """A verified trust list: who the operator accredits, for what, until when, in what state."""

    url: str
    operator_id: str
    operator_name: str
    version: int
    updated_at: datetime
    valid_from: datetime
    valid_until: datetime
    entries: tuple[RegistryEntry, ...] = field(default=())


def build_trust_list(
    url: str,
    operator_id: str,
    operator_name: str,
    version: int,
    updated_at: datetime,
    entries: Iterable[RegistryEntry],
    valid_from: datetime,
    valid_until: datetime,
) -> dict[str, Any]:
    """The unsigned trust list credential (sign it with `vc.data_integrity.sign`); `load_trust_list`
    reads exactly this shape. Empty scope lists and absent members are left out (no statements)."""
    return {
        "@context": CONTEXT,
        "id": url,
        "type": ["VerifiableCredential"],
        "name": f"{operator_name}: register of quality-assured providers",
        "issuer": {"id": operator_id, "name": operator_name},
        "validFrom": format_time(valid_from),
        "validUntil": format_time(valid_until),
        "credentialSubject": {
            "id": f"{url}#register",
            "type": REGISTER_TYPE,
            "name": f"Providers quality-assured by {operator_name}",
            SCHEMA_ORG + "version": version,
            SCHEMA_ORG + "dateModified": format_time(updated_at),
            SCHEMA_ORG + "itemListElement": [_element(entry) for entry in entries],
        },
    }


def _element(entry: RegistryEntry) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": entry.issuer_id, "type": "Profile", "name": entry.name}
    if entry.url:
        profile["url"] = entry.url
    if entry.logo_url:
        profile["image"] = {"id": entry.logo_url, "type": "Image"}
    element: dict[str, Any] = {
        "id": f"urn:uuid:{_uuid(entry.accreditation_id)}",
        "type": ACCREDITATION_TYPE,
        SCHEMA_ORG + "about": profile,
        SCHEMA_ORG + "certificationStatus": entry.state.value,
        SCHEMA_ORG + "validFrom": format_time(entry.valid_from),
        SCHEMA_ORG + "expires": format_time(entry.valid_until),
        SCHEMA_ORG + "dateModified": format_time(entry.changed_at),
    }
    if entry.reason:
        element["description"] = entry.reason
    scope = {
        SCHEMA_ORG + "educationalLevel": list(entry.scope.levels),
        OB_VOCAB + "fieldOfStudy": list(entry.scope.sectors),
        OB_VOCAB + "achievementType": [_achievement_type(kind) for kind in entry.scope.kinds],
    }
    element.update({key: values for key, values in scope.items() if values})
    return element


def _achievement_type(kind: str) -> str:
    return ACHIEVEMENT_TYPES[AchievementKind(kind)] if kind in KINDS else kind


def _uuid(hex_id: str) -> str:
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:32]}"


def _hex(urn: str) -> str:
    return urn.removeprefix("urn:uuid:").replace("-", "")


def resolver_from_did_document(did_document: Mapping[str, Any], did: str) -> KeyResolver:
    """The operator's assertion keys from its DID document (fetched once, or cached for offline use)."""
    if did_document.get("id") != did:
        raise TrustListError(f"the DID document is for {str(did_document.get('id'))[:200]!r}, not {did!r}")
    assertion = did_document.get("assertionMethod")
    allowed = set(assertion) if isinstance(assertion, list) else set()
    methods = did_document.get("verificationMethod")
    try:
        parsed = [VerificationMethod.from_json(m) for m in (methods if isinstance(methods, list) else [])]
    except VcError as error:
        raise TrustListError(f"the operator's DID document is not usable: {error.message}") from None
    return StaticResolver(m for m in parsed if m.id in allowed and m.controller == did)


def load_trust_list(
    document: Mapping[str, Any] | str | bytes,
    resolver: KeyResolver,
    *,
    operator_id: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> TrustList:
    """Check a trust list's proof against the operator's key and read it; raise `TrustListError` if not.

    Give ``operator_id`` (the operator's DID) whenever you know it: the list must then be issued by it.
    The list's own validity period is not judged here but by the registry at decision time.
    """
    try:
        data = parse_json(document) if isinstance(document, (str, bytes)) else document
        check_depth(data)
    except VcError as error:
        raise TrustListError(f"not readable JSON: {error.message}") from None
    if not isinstance(data, Mapping):
        raise TrustListError("a trust list is a JSON object")
    try:
        shape = _TrustListCredential.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise TrustListError(f"not a trust list: {where}: {first['msg']}") from None
    if shape.context != CONTEXT:
        raise TrustListError(f"a trust list's @context is {CONTEXT}")
    issuer = shape.issuer.id
    if operator_id is not None and issuer != operator_id:
        raise TrustListError(
            f"the trust list is issued by {issuer[:200]!r}, not by the operator {operator_id!r}"
        )
    _check_proof(data, issuer, resolver, loader)
    register = shape.credential_subject
    return TrustList(
        url=shape.id,
        operator_id=issuer,
        operator_name=shape.issuer.name,
        version=register.version,
        updated_at=_when(register.date_modified, "dateModified"),
        valid_from=_when(shape.valid_from, "validFrom"),
        valid_until=_when(shape.valid_until, "validUntil"),
        entries=tuple(_entry(element) for element in register.elements),
    )


def _check_proof(
    data: Mapping[str, Any], issuer: str, resolver: KeyResolver, loader: OfflineDocumentLoader | None
) -> None:
    """Any one proof by a key the operator controls (VC-DI §4.3 proof sets), as `vc.verify` does."""
    try:
        proofs = data_integrity.proofs_of(data)
    except VcError as error:
        raise TrustListError(error.message) from None
    if not proofs:
        raise TrustListError("the trust list has no proof")
    if len(proofs) > MAX_PROOFS:
        raise TrustListError(f"more than {MAX_PROOFS} proofs")
    problems = []
    for proof in proofs:
        try:
            method = data_integrity.verify_proof(data, proof, resolver, loader=loader)
        except VcError as error:
            problems.append(error.message)
            continue
        if method.controller == issuer:
            return
        problems.append(f"the signing key is controlled by {method.controller!r}, not by {issuer!r}")
    raise TrustListError(f"the trust list's proof does not verify: {problems[0]}")


def _entry(element: _Accreditation) -> RegistryEntry:
    return RegistryEntry(
        accreditation_id=_hex(element.id),
        issuer_id=element.about.id,
        name=element.about.name,
        url=element.about.url,
        logo_url=element.about.image.id if element.about.image else None,
        # An achievement type we do not know stays as it is: it matches nothing, and never widens the scope.
        scope=Scope(
            sectors=tuple(element.sectors),
            levels=tuple(element.levels),
            kinds=tuple(KIND_OF_ACHIEVEMENT_TYPE.get(t, t) for t in element.achievement_types),
        ),
        valid_from=_when(element.valid_from, "validFrom"),
        valid_until=_when(element.expires, "expires"),
        state=State(element.status),
        reason=element.description,
        changed_at=_when(element.status_changed, "dateModified"),
    )


class SnapshotTrustRegistry:
    """`vc.verify.IssuerRegistry` over a verified trust list, e.g. a cached copy for offline checks."""

    def __init__(self, trust_list: TrustList) -> None:
        self.trust_list = trust_list
        self._by_issuer: dict[str, list[RegistryEntry]] = {}
        for entry in trust_list.entries:
            self._by_issuer.setdefault(entry.issuer_id, []).append(entry)

    def decide(self, issuer_id: str, credential: Mapping[str, Any], now: datetime) -> TrustDecision:
        listed = self.trust_list
        if now > listed.valid_until:
            # A stale list may miss a suspension: it vouches for nobody.
            return TrustDecision(
                Trust.OUTSIDE_SCHEME,
                f"Accreditation could not be checked: the trust list (version {listed.version}) from "
                f"{listed.operator_name} expired on {listed.valid_until.date().isoformat()}; "
                "fetch a fresh one.",
            )
        if issuer_id == listed.operator_id:  # the operator's own documents are the scheme's
            return operator_decision(Operator(listed.operator_id, listed.operator_name))
        return decide(self._by_issuer.get(issuer_id, []), issuer_id, credential, now, listed.operator_name)
