"""Key resolution for any issuer: did:key, did:web, HTTPS controller documents, and our own issuers.

Every resolver follows Controlled Identifiers 1.0 §3.3 "Retrieve Verification Method": the controller
document is the verification method URL without its fragment; its ``id`` must be that URL (the DID for
did:web); the method is found by id; the method's ``controller`` must be the document's ``id`` (a document
cannot lend a key to someone else); and the method must be listed under the proof's purpose
(``assertionMethod`` for credentials, ``authentication`` for presentations).

- ``did:key``: pure, offline (`vc.did_key`).
- ``did:web`` (https://w3c-ccg.github.io/did-method-web/ §3.2 "Read (Resolve)"): the method-specific id's
  ``:`` become ``/``, a percent-encoded port is decoded, ``/.well-known`` is used when there is no path,
  and ``/did.json`` is appended; fetched through the bounded fetcher.
- ``https://`` key URLs (OB 3.0 §8.3.2 allows them): the controller document is fetched the same way.
- The service's own issuers (did:web DIDs under `PASSPORT_BASE_URL`) are read through the issuers service,
  never over HTTP, and kept in memory for a short time, until a key rotation is committed anywhere
  (`core.changes`); retired keys stay in a document, and a key newer than a cached document reads again.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from cachetools import LRUCache
from sqlalchemy.orm import Session

from core.cache import Background, refresh_ahead
from core.problems import NotFound
from issuers import identity
from issuers import service as issuers
from network.operator import operator_did, operator_keys
from vc.did_key import VerificationMethod
from vc.errors import KeyResolutionError
from vc.ports import ASSERTION_METHOD, ChainResolver, DidKeyResolver, KeyResolver

__all__ = [
    "ControllerDocumentResolver",
    "DidWebResolver",
    "OwnIssuerDocuments",
    "OwnIssuerResolver",
    "did_web_url",
    "service_resolver",
    "verification_method_in",
]

FetchJson = Callable[[str], Any]

MAX_METHOD_ID_LENGTH = 2048
# did:web method-specific id: a host (with an optional %3A-encoded port), then ":"-separated path segments.
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?:%3[Aa][0-9]{1,5})?"
_SEGMENT = r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+"
_DID_WEB = re.compile(rf"did:web:(?P<host>{_HOST})(?P<path>(?::{_SEGMENT})*)")
_ISSUER_ID = re.compile(r"[0-9a-f]{32}")  # issuers.models.new_id


def did_web_url(did: str) -> str:
    """did:web §3.2 "Read (Resolve)": the HTTPS URL of the DID document."""
    match = _DID_WEB.fullmatch(did)
    if match is None:
        raise KeyResolutionError(f"malformed did:web DID {did[:100]!r}")
    host = re.sub("%3[Aa]", ":", match["host"])
    path = match["path"].replace(":", "/")
    return f"https://{host}{path or '/.well-known'}/did.json"


def _split_method_id(method_id: str) -> tuple[str, str]:
    if not isinstance(method_id, str) or len(method_id) > MAX_METHOD_ID_LENGTH:
        raise KeyResolutionError("malformed verification method id")
    controller, hash_sign, fragment = method_id.partition("#")
    if not hash_sign or not fragment:
        raise KeyResolutionError(
            f"the verification method {method_id[:100]!r} names no key (a URL with a #fragment is needed)"
        )
    return controller, fragment


def _absolute(value: Any, base: str) -> Any:
    return f"{base}{value}" if isinstance(value, str) and value.startswith("#") else value


def verification_method_in(
    document: Any, controller_id: str, method_id: str, purpose: str = ASSERTION_METHOD
) -> VerificationMethod:
    """CID 1.0 §3.3 steps 4-7: the method `method_id` of `controller_id`'s document, for `purpose`."""
    if not isinstance(document, Mapping):
        raise KeyResolutionError(f"the controller document of {controller_id[:100]} is not a JSON object")
    if document.get("id") != controller_id:
        raise KeyResolutionError(
            f"the document fetched for {controller_id[:100]} is about {str(document.get('id'))[:100]!r}"
        )
    candidates = [
        item
        for item in _listed(document.get("verificationMethod"))
        if isinstance(item, Mapping) and _absolute(item.get("id"), controller_id) == method_id
    ]
    relationship = _listed(document.get(purpose))
    listed = False
    for item in relationship:
        if isinstance(item, Mapping) and _absolute(item.get("id"), controller_id) == method_id:
            candidates.append(item)  # a method embedded in the relationship (DID Core §5.3)
            listed = True
        elif _absolute(item, controller_id) == method_id:
            listed = True
    if not candidates:
        raise KeyResolutionError(f"the key {method_id[:200]} is not in its controller's document")
    if len(candidates) > 1:
        raise KeyResolutionError(f"the key {method_id[:200]} appears more than once in its document")
    if not listed:
        raise KeyResolutionError(
            f"the key {method_id[:200]} is not listed under {purpose} by its controller {controller_id[:100]}"
        )
    data = dict(candidates[0])
    data["id"] = method_id
    data["controller"] = _absolute(data.get("controller"), controller_id)
    method = VerificationMethod.from_json(data)
    if method.controller != controller_id:
        # A document cannot vouch for a key on someone else's behalf.
        raise KeyResolutionError(
            f"the key {method_id[:200]} says it is controlled by {method.controller[:100]}, "
            f"not by {controller_id[:100]} whose document lists it"
        )
    return method


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class DidWebResolver:
    """did:web DIDs of other issuers, through the bounded fetcher (which caches)."""

    def __init__(self, fetch_json: FetchJson) -> None:
        self._fetch_json = fetch_json

    def resolve(self, verification_method_id: str, purpose: str = ASSERTION_METHOD) -> VerificationMethod:
        did, _ = _split_method_id(verification_method_id)
        document = self._fetch_json(did_web_url(did))
        return verification_method_in(document, did, verification_method_id, purpose)


class ControllerDocumentResolver:
    """HTTPS key URLs (``https://issuer.example/keys#key-1``): the controller document is the URL without
    its fragment (CID 1.0 §3.3)."""

    def __init__(self, fetch_json: FetchJson) -> None:
        self._fetch_json = fetch_json

    def resolve(self, verification_method_id: str, purpose: str = ASSERTION_METHOD) -> VerificationMethod:
        controller, _ = _split_method_id(verification_method_id)
        if not controller.startswith("https://"):
            raise KeyResolutionError("controller documents are fetched over https only")
        document = self._fetch_json(controller)
        return verification_method_in(document, controller, verification_method_id, purpose)


class OwnIssuerDocuments:
    """The DID documents of the service's own issuers (and of the network operator, who signs trust lists
    and passport CLR exports), built from the database, kept `ttl` seconds.

    Shared by every request of a process; each lookup that misses reads through the request's session.
    """

    def __init__(
        self,
        config: issuers.IssuerConfig,
        ttl: float = 60.0,
        maxsize: int = 4096,
        background: Background | None = None,
    ) -> None:
        self.config = config
        self.prefix = identity.issuer_did(config.base_url, "")
        self.operator = operator_did(config.base_url)
        self._documents = refresh_ahead(ttl, maxsize, self._read, background)
        # Parsed methods by (method id, purpose), with the document they were parsed from: parsing a key
        # costs more than the rest of a lookup. A method is parsed again when its document was reloaded.
        self._methods: LRUCache[tuple[str, str], tuple[dict[str, Any], VerificationMethod]] = LRUCache(
            maxsize=maxsize
        )
        self._lock = threading.Lock()

    def owns(self, did: str) -> bool:
        return did.startswith(self.prefix)

    def document(self, session: Session, did: str, *, fresh: bool = False) -> dict[str, Any] | None:
        """The DID document, or None when no issuer of ours has this DID."""
        if not fresh:
            cached = self._documents.get(did)
            if cached is not None:
                return cached
        version = self._documents.version_of(session)  # before the read: it dates what is read
        document = self._read(session, did)
        if document is not None:
            self._documents.put(did, document, version)
        return document

    def _read(self, session: Session, did: str) -> dict[str, Any] | None:
        if did == self.operator:
            return identity.did_document(did, operator_keys(session))
        issuer_id = did.removeprefix(self.prefix)
        if not _ISSUER_ID.fullmatch(issuer_id):
            return None
        try:
            issuer = issuers.get_issuer(session, issuer_id)
        except NotFound:
            return None
        issuer_did = issuers.did_of(self.config, issuer.id)
        return identity.did_document(issuer_did, issuers.signing_keys(session, issuer.id))

    def method(self, session: Session, method_id: str, purpose: str) -> VerificationMethod:
        """CID 1.0 §3.3 over our own issuer's DID document (see `verification_method_in`)."""
        did, _ = _split_method_id(method_id)
        document = self.document(session, did)
        if document is None:
            raise KeyResolutionError(f"{did[:100]} is not an issuer of this service")
        with self._lock:
            parsed = self._methods.get((method_id, purpose))
        if parsed is not None and parsed[0] is document:
            return parsed[1]
        try:
            found = verification_method_in(document, did, method_id, purpose)
        except KeyResolutionError:
            # A key added after the document was cached: read once more before giving up.
            document = self.document(session, did, fresh=True)
            if document is None:
                raise
            found = verification_method_in(document, did, method_id, purpose)
        with self._lock:
            self._methods[(method_id, purpose)] = (document, found)
        return found


class OwnIssuerResolver:
    """Keys of the service's own issuers, from its database, without HTTP."""

    def __init__(self, session: Session, documents: OwnIssuerDocuments) -> None:
        self._session = session
        self._documents = documents

    def resolve(self, verification_method_id: str, purpose: str = ASSERTION_METHOD) -> VerificationMethod:
        return self._documents.method(self._session, verification_method_id, purpose)


def service_resolver(session: Session, own: OwnIssuerDocuments, fetch_json: FetchJson) -> KeyResolver:
    """did:key offline, our issuers and the operator from the database, other did:web and https keys
    through the fetcher."""
    return ChainResolver(
        {
            "did:key:": DidKeyResolver(),
            own.prefix: OwnIssuerResolver(session, own),
            own.operator + "#": OwnIssuerResolver(session, own),
            "did:web:": DidWebResolver(fetch_json),
            "https://": ControllerDocumentResolver(fetch_json),
        }
    )
