"""The verification API on a migrated database (SQLite, or PostgreSQL with PASSPORT_TEST_DATABASE_URL),
with the bounded fetcher's network replaced at its ports: `FakeWeb` is both the DNS table and an
`httpx.MockTransport`, so tests never leave the process."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from core.services import Database, services_of
from schemas.models import IdentityObject
from server.app import create_app
from server.settings import Settings
from tests.conftest import BASE_URL
from tests.issuers.conftest import auth, create_achievement, create_provider
from vc import data_integrity
from vc.jwt import sign_jwt
from vc.keys import KeyType, PrivateKey, PublicKey
from vc.status_list import StatusList, status_entry, status_list_credential

PUBLIC_IP = "93.184.215.14"  # any public address: the transport is fake, nothing is sent
SAMPLE = Path(__file__).resolve().parents[2] / "bench" / "sample-credential.json"


@dataclass
class FakeWeb:
    """Hosts -> addresses (DNS) and (host, path) -> responses; records every request it answers."""

    dns: dict[str, list[str]] = field(default_factory=dict)
    pages: dict[tuple[str, str], httpx.Response] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def resolve(self, host: str, port: int) -> list[str]:
        try:
            return self.dns[host]
        except KeyError:
            raise OSError(f"unknown host {host}") from None

    def serve(self, url: str, body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        parsed = httpx.URL(url)
        self.dns.setdefault(parsed.host, [PUBLIC_IP])
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.pages[(parsed.host, parsed.path)] = httpx.Response(status, content=content, headers=headers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host = request.headers["host"].split(":")[0]
        # The fetcher connects to the address it checked, and keeps the name for Host and TLS.
        assert request.url.host in self.dns.get(host, []), (request.url, host)
        assert request.extensions.get("sni_hostname") == host
        page = self.pages.get((host, request.url.path))
        if page is None:
            return httpx.Response(404)
        return httpx.Response(page.status_code, content=page.content, headers=page.headers)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


@pytest.fixture
def web() -> FakeWeb:
    return FakeWeb()


@pytest.fixture
def client(settings: Settings, web: FakeWeb) -> Iterator[TestClient]:
    app = create_app(settings, fetch_transport=web.transport, resolve_host=web.resolve)
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client
    services_of(app).get(Database).engine.dispose()


# --- another issuer on the (fake) web -------------------------------------------------------------------


@dataclass
class ExternalIssuer:
    """An Open Badges issuer elsewhere, with a did:web DID, a DID document and a status list."""

    web: FakeWeb
    host: str = "college.example"
    key: PrivateKey = field(default_factory=lambda: PrivateKey.generate(KeyType.ED25519))
    status: StatusList = field(default_factory=StatusList)

    @property
    def did(self) -> str:
        return f"did:web:{self.host}"

    @property
    def method_id(self) -> str:
        return f"{self.did}#key-1"

    @property
    def list_url(self) -> str:
        return f"https://{self.host}/status/1"

    def did_document(self, *, relationships: tuple[str, ...] = ("assertionMethod",)) -> dict[str, Any]:
        method = {
            "id": self.method_id,
            "type": "Multikey",
            "controller": self.did,
            "publicKeyMultibase": self.key.public_key.to_multibase(),
        }
        document: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "verificationMethod": [method],
        }
        for relationship in relationships:
            document[relationship] = [self.method_id]
        return document

    def publish(self, **kwargs: Any) -> None:
        self.web.serve(f"https://{self.host}/.well-known/did.json", self.did_document(**kwargs))
        self.publish_status()

    def publish_status(self, signer: PrivateKey | None = None) -> None:
        unsigned = status_list_credential(
            self.list_url, self.did, self.status, "revocation", "2025-01-01T00:00:00Z"
        )
        signed = data_integrity.sign(unsigned, signer or self.key, self.method_id, datetime.now(UTC))
        self.web.serve(self.list_url, signed, headers={"Cache-Control": "max-age=600"})

    def credential(self, index: int = 7, recipient: str | None = None, **fields: Any) -> dict[str, Any]:
        """The sample credential from this issuer; `recipient`: the email address it is issued to (a salted
        hash, OB 3.0 §B.3), else the sample's (nobody's)."""
        credential = copy.deepcopy(json.loads(SAMPLE.read_text(encoding="utf-8")))
        if recipient is not None:
            identity = IdentityObject.hashed_email(recipient).to_json()
            credential["credentialSubject"]["identifier"] = [identity]
        credential["issuer"]["id"] = self.did
        credential["id"] = f"https://{self.host}/credentials/{index}"
        credential["credentialStatus"] = status_entry(self.list_url, index)
        credential["validFrom"] = "2025-06-30T09:00:00Z"
        credential.update(fields)
        return credential

    def sign(self, credential: dict[str, Any], *, key: PrivateKey | None = None) -> dict[str, Any]:
        return data_integrity.sign(credential, key or self.key, self.method_id, datetime.now(UTC))

    def sign_jwt(self, credential: dict[str, Any]) -> str:
        return sign_jwt(credential, self.key, kid=self.method_id)

    @property
    def public_key(self) -> PublicKey:
        return self.key.public_key


@pytest.fixture
def college(web: FakeWeb) -> ExternalIssuer:
    issuer = ExternalIssuer(web)
    issuer.publish()
    return issuer


# --- the service's own issuers --------------------------------------------------------------------------


def issue(client: TestClient, api_key: str, achievement_id: str, **extra: Any) -> dict[str, Any]:
    body = {"achievement_id": achievement_id, "recipient": {"email": "sam@example.com", "name": "Sam"}}
    response = client.post("/api/v1/credentials", json={**body, **extra}, headers=auth(api_key))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def provider(client: TestClient) -> dict[str, Any]:
    created = create_provider(client)
    created["achievement_id"] = create_achievement(client, created["api_key"])
    return created


def verify(client: TestClient, credential: dict[str, Any] | str, **options: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"verifiableCredential": credential}
    if options:
        body["options"] = options
    response = client.post("/credentials/verify", json=body)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in report["checks"] if item["id"] == check_id)
    return found
