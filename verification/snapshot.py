"""A verification snapshot: what a verifier needs to check this service's credentials with no network.

``passport snapshot --url BASE`` takes one (`take_snapshot`): the operator's DID document, the signed trust
list, the DID documents of the providers (``GET /snapshot-index`` names them) and every signed status
list. ``passport verify --snapshot FILE`` then checks a credential against it (`snapshot_ports`), never
calling the issuer, and says how old the data is.

Nothing in the file is taken on trust when it is used: the trust list must verify against the operator's
key (and be issued by the operator of the snapshot's source), every status list against its issuer's key
(`vc.status_list` verifies it as it reads it), and the DID documents are only used as did:web says (the
document must be about the DID asked for). What a snapshot cannot tell is anything newer than itself: a
credential revoked afterwards still looks unrevoked, which is why its time is printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from network.operator import operator_did
from network.trust_list import (
    SnapshotTrustRegistry,
    TrustList,
    TrustListError,
    format_time,
    load_trust_list,
    resolver_from_did_document,
)
from vc.errors import KeyResolutionError, VcError
from vc.ports import ChainResolver, DidKeyResolver
from vc.status_list import StatusError
from vc.status_sources import standard_status_source
from vc.verify import Ports, verify_credential

from .resolvers import DidWebResolver, did_web_url

__all__ = ["SNAPSHOT_TYPE", "Snapshot", "SnapshotError", "load_snapshot", "take_snapshot"]

SNAPSHOT_TYPE = "PassportVerificationSnapshot"
INDEX_PATH = "/snapshot-index"

#: Fetches a path of the snapshot's source (e.g. ``/trust-list``) and returns the parsed JSON.
GetJson = Callable[[str], Any]


class SnapshotError(Exception):
    """The snapshot cannot be taken or used; the message says why in plain words."""


@dataclass(frozen=True)
class Snapshot:
    source: str
    taken_at: str
    trust_list: TrustList
    ports: Ports


def _path_of_did(did: str, base_url: str) -> str | None:
    """The path of a did:web DID's document when it is served by `base_url` (our own providers)."""
    url = did_web_url(did)
    host = base_url.split("://", 1)[-1]
    prefix = f"https://{host}"
    return url[len(prefix) :] if url.startswith(prefix + "/") else None


def take_snapshot(get_json: GetJson, base_url: str, now: datetime) -> dict[str, Any]:
    """Download and check everything; raise `SnapshotError` if the trust list or a status list does
    not verify (a snapshot that cannot be relied on is not written)."""
    operator_document = get_json("/operator/did.json")
    trust_list = get_json("/trust-list")
    index = get_json(INDEX_PATH)
    if not isinstance(index, Mapping):
        raise SnapshotError(f"{base_url}{INDEX_PATH} is not a snapshot index")
    did_documents: dict[str, Any] = {}
    for did in index.get("issuers", []):
        path = _path_of_did(str(did), base_url)
        if path is not None:
            did_documents[did] = get_json(path)
    status_lists = {str(url): get_json(str(url)[len(base_url) :]) for url in index.get("statusLists", [])}
    snapshot = {
        "type": SNAPSHOT_TYPE,
        "source": base_url,
        "takenAt": format_time(now),
        "operatorDidDocument": operator_document,
        "trustList": trust_list,
        "didDocuments": did_documents,
        "statusLists": status_lists,
    }
    loaded = load_snapshot(snapshot)
    for url, document in status_lists.items():
        report = verify_credential(document, Ports(loaded.ports.resolver), now)
        if report.errors:  # as vc.status_list judges a list it reads
            raise SnapshotError(f"the status list {url} does not verify: {report.errors[0].message}")
    return snapshot


def load_snapshot(data: Any) -> Snapshot:
    """Read a snapshot and verify its trust list; the status lists are verified when they are used."""
    if not isinstance(data, Mapping) or data.get("type") != SNAPSHOT_TYPE:
        raise SnapshotError(f"not a verification snapshot (a JSON object of type {SNAPSHOT_TYPE})")
    source, taken_at = data.get("source"), data.get("takenAt")
    if not isinstance(source, str) or not isinstance(taken_at, str):
        raise SnapshotError("the snapshot names no source or time")
    operator_id = operator_did(source)
    try:
        trust_list = load_trust_list(
            data.get("trustList") or {},
            resolver_from_did_document(data.get("operatorDidDocument") or {}, operator_id),
            operator_id=operator_id,
        )
    except (TrustListError, VcError) as error:
        raise SnapshotError(f"the snapshot's trust list does not verify: {error}") from None
    documents = {did_web_url(str(did)): doc for did, doc in dict(data.get("didDocuments") or {}).items()}
    # The operator's key also signs its endorsements (scheme approvals) and their status lists.
    documents[did_web_url(operator_id)] = data.get("operatorDidDocument") or {}
    lists = dict(data.get("statusLists") or {})

    def did_document(url: str) -> Any:
        if url not in documents:
            raise KeyResolutionError(f"{url} is not in the snapshot taken {taken_at}")
        return documents[url]

    def status_list(url: str) -> Any:
        if url not in lists:
            raise StatusError(f"the status list {url} is not in the snapshot taken {taken_at}")
        return lists[url]

    resolver = ChainResolver({"did:key:": DidKeyResolver(), "did:web:": DidWebResolver(did_document)})
    key_ports = Ports(resolver=resolver)
    ports = Ports(
        resolver=resolver,
        status=standard_status_source(status_list, key_ports),
        registry=SnapshotTrustRegistry(trust_list),
    )
    return Snapshot(source=source, taken_at=taken_at, trust_list=trust_list, ports=ports)
