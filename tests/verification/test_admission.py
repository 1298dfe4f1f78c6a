"""Issue 10 item 4: no anonymous client can stall the verifier (`verification.service`, `core.admission`).

Verifications are held inside their worker thread by an event the test controls (a blocked verifier), so
every test is deterministic: what is in progress is known, not timed. The ASGI app runs in the test's own
event loop (httpx's ASGITransport), so a verification that ran on the loop would block the loop itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI

from core.admission import Admission, Lane
from core.services import Database, services_of
from server.app import create_app
from server.settings import Settings
from tests.conftest import ADMIN_TOKEN, BASE_URL, assert_problem
from tests.issuers.conftest import auth
from tests.verification.conftest import ExternalIssuer, FakeWeb
from vc.did_key import did_key_for, did_key_verification_method_id
from vc.keys import KeyType, PrivateKey
from vc.presentation_jwt import sign_presentation_jwt
from verification.service import ANONYMOUS_LIMITS, Verifier

pytestmark = pytest.mark.anyio

SMALL = {"verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "x"}}
TEST_LANES = {
    "small": Lane("small", threads=1, queue=2, per_client=2, retry_after=1),
    "large": Lane("large", threads=1, queue=0, per_client=1, retry_after=3),
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Gate:
    """Holds every verification in its worker thread until `open`; counts those that started."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._lock = threading.Lock()
        self.started = 0

    def hold(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.started += 1
        assert self._open.wait(30), "the test never opened the gate"
        return _Report()

    def open(self) -> None:
        self._open.set()


class _Report:
    endorsements: tuple[()] = ()  # no scheme approval to report (`network.verdict.approval_of`)

    def to_json(self) -> dict[str, Any]:
        return {"verified": False}


@pytest.fixture
def app(settings: Settings, web: FakeWeb) -> Iterator[FastAPI]:
    app = create_app(settings, fetch_transport=web.transport, resolve_host=web.resolve)
    yield app
    services_of(app).get(Admission).close()
    services_of(app).get(Database).engine.dispose()


@pytest.fixture
def gate(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    own = services_of(app).get(Admission)
    services_of(app).replace(Admission(TEST_LANES))  # smaller lanes, so the test can fill them
    own.close()
    monkeypatch.setattr(services_of(app).get(Verifier), "verify_credential", gate.hold)
    yield gate
    gate.open()
    services_of(app).get(Admission).close()


def client_of(app: FastAPI, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def until(condition: Any) -> None:
    """Wait (without a deadline of its own: the test's `fail_after` bounds it) for the threads."""
    while not condition():
        await anyio.sleep(0.001)


async def post_into(client: httpx.AsyncClient, found: list[httpx.Response], body: Any) -> None:
    found.append(await client.post("/credentials/verify", json=body))


async def test_beyond_a_clients_share_the_answer_is_429_with_retry_after_at_once(
    app: FastAPI, gate: Gate
) -> None:
    admission = services_of(app).get(Admission)
    found: list[httpx.Response] = []
    with anyio.fail_after(20):
        async with client_of(app) as client, anyio.create_task_group() as tasks:
            for _ in range(2):  # the client's share of the small lane: one running, one waiting
                tasks.start_soon(post_into, client, found, SMALL)
            await until(lambda: admission.admitted("small") == 2 and gate.started == 1)

            refused = await client.post("/credentials/verify", json=SMALL)
            assert_problem(refused, 429, "busy")
            assert refused.headers["retry-after"] == "1"
            assert "you already have 2 requests" in refused.json()["detail"]

            async with client_of(app, "198.51.100.9") as other:  # another client still gets in
                tasks.start_soon(post_into, other, found, SMALL)
                await until(lambda: admission.admitted("small") == 3)
                gate.open()
    assert [response.status_code for response in found] == [200, 200, 200]
    assert admission.admitted("small") == 0  # every slot is given back


async def test_beyond_the_lanes_capacity_every_client_gets_429(app: FastAPI, gate: Gate) -> None:
    admission = services_of(app).get(Admission)
    found: list[httpx.Response] = []
    with anyio.fail_after(20):
        async with anyio.create_task_group() as tasks:
            clients = [client_of(app, f"192.0.2.{number}") for number in range(4)]
            for client in clients[:3]:  # one running and two waiting: the lane is full
                tasks.start_soon(post_into, client, found, SMALL)
            await until(lambda: admission.admitted("small") == 3)

            refused = await clients[3].post("/credentials/verify", json=SMALL)
            assert_problem(refused, 429, "busy")
            assert refused.headers["retry-after"] == "1"
            assert "too many requests of this kind are in progress" in refused.json()["detail"]
            gate.open()
        for client in clients:
            await client.aclose()
    assert sorted(response.status_code for response in found) == [200, 200, 200]


async def test_the_429_is_translated(app: FastAPI, gate: Gate) -> None:
    admission = services_of(app).get(Admission)
    with anyio.fail_after(20):
        async with client_of(app) as client, anyio.create_task_group() as tasks:
            found: list[httpx.Response] = []
            for _ in range(2):
                tasks.start_soon(post_into, client, found, SMALL)
            await until(lambda: admission.admitted("small") == 2)
            refused = await client.post("/credentials/verify", json=SMALL, headers={"Accept-Language": "cy"})
            gate.open()
    assert refused.status_code == 429
    assert refused.headers["content-language"] == "cy"
    english = "you already have 2 requests of this kind in progress"
    assert refused.json()["title"] != "The service is busy"
    assert english not in refused.json()["detail"]


async def test_large_documents_have_their_own_lane_and_never_hold_up_small_ones(
    app: FastAPI, gate: Gate, settings: Settings
) -> None:
    admission = services_of(app).get(Admission)
    big = {"verifiableCredential": {"type": "x", "description": "x" * 150_000}}
    found: list[httpx.Response] = []
    with anyio.fail_after(20):
        async with anyio.create_task_group() as tasks:
            first, second, small = (client_of(app, f"192.0.2.{n}") for n in (1, 2, 3))
            tasks.start_soon(post_into, first, found, big)
            await until(lambda: admission.admitted("large") == 1 and gate.started == 1)

            refused = await second.post("/credentials/verify", json=big)  # the large lane is full
            assert_problem(refused, 429, "busy")
            assert refused.headers["retry-after"] == "3"

            tasks.start_soon(post_into, small, found, SMALL)  # the small lane is free
            await until(lambda: gate.started == 2)
            gate.open()
        for client in (first, second, small):
            await client.aclose()
    assert [response.status_code for response in found] == [200, 200]


async def test_a_verification_in_progress_leaves_the_event_loop_free(app: FastAPI, gate: Gate) -> None:
    """The verification blocks its thread until the gate opens; /health and a page are answered
    meanwhile, by the same event loop. Run on the loop, it would block the loop and this test."""
    admission = services_of(app).get(Admission)
    found: list[httpx.Response] = []
    with anyio.fail_after(20):
        async with client_of(app) as client, anyio.create_task_group() as tasks:
            tasks.start_soon(post_into, client, found, SMALL)
            await until(lambda: gate.started == 1)
            health = await client.get("/health")
            assert health.status_code == 200
            assert health.json()["status"] == "ok"
            assert (await client.get("/verify")).status_code == 200
            assert found == []  # still verifying
            assert admission.admitted("small") == 1
            gate.open()
    assert [response.status_code for response in found] == [200]


# --- the anonymous limits -----------------------------------------------------------------------------------


def padded(size: int) -> dict[str, Any]:
    return {"verifiableCredential": {"type": "VerifiableCredential", "description": "x" * size}}


async def test_an_anonymous_document_over_the_anonymous_size_is_413_and_an_authenticated_one_is_verified(
    app: FastAPI,
) -> None:
    over = padded(ANONYMOUS_LIMITS.max_document_bytes)
    async with client_of(app) as client:
        anonymous = await client.post("/credentials/verify", json=over)
        assert_problem(anonymous, 413, "payload-too-large")
        assert "anonymous verification takes at most 262144 bytes" in anonymous.json()["detail"]
        upload = await client.post("/credentials/verify/upload", files={"file": ("c.json", b" " * 300_000)})
        assert_problem(upload, 413, "payload-too-large")

        created = await client.post(
            "/api/v1/admin/issuers",
            json={"name": "Midlands College", "url": "https://college.example.ac.uk"},
            headers=auth(ADMIN_TOKEN),
        )
        api_key = created.json()["api_key"]
        for token in (api_key, ADMIN_TOKEN):
            authenticated = await client.post("/credentials/verify", json=over, headers=auth(token))
            assert authenticated.status_code == 200, authenticated.text
            assert authenticated.json()["verified"] is False  # a report: not signed, not a credential

        unknown = await client.post("/credentials/verify", json=over, headers=auth("sk_not-a-key"))
        assert_problem(unknown, 401, "unauthorized")
        small_unknown = await client.post("/credentials/verify", json=SMALL, headers=auth("sk_not-a-key"))
        assert_problem(small_unknown, 401, "unauthorized")


async def test_the_check_form_takes_the_anonymous_size_too(app: FastAPI) -> None:
    async with client_of(app) as client:
        answer = await client.post(
            "/verify", data={"credential": "x" * (ANONYMOUS_LIMITS.max_document_bytes + 1)}
        )
    assert answer.status_code == 422
    assert "too long" in answer.text


async def test_anonymous_callers_get_the_lower_statement_limit(app: FastAPI, web: FakeWeb) -> None:
    """A signed credential of ~6,700 statements (under 256 KB): anonymous, it is refused for its size in
    statements; with a key, it verifies."""
    college = ExternalIssuer(web)
    college.publish()
    credential = college.credential()
    credential["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "n", "targetUrl": f"https://e.org/{number}", "targetCode": "c"}
        for number in range(1_300)
    ]
    signed = college.sign(credential)
    async with client_of(app) as client:
        answer = await client.post("/credentials/verify", json={"verifiableCredential": signed})
        assert answer.status_code == 200, answer.text
        anonymous = answer.json()
        proof = next(check for check in anonymous["checks"] if check["id"] == "proof")
        assert anonymous["verified"] is False
        assert "5000" in proof["message"] or "5,000" in proof["message"], proof["message"]

        authenticated = await client.post(
            "/credentials/verify", json={"verifiableCredential": signed}, headers=auth(ADMIN_TOKEN)
        )
        proof = next(check for check in authenticated.json()["checks"] if check["id"] == "proof")
        assert proof["outcome"] == "passed", proof


async def test_a_presentations_credentials_get_the_anonymous_statement_limit_too(
    app: FastAPI, web: FakeWeb
) -> None:
    college = ExternalIssuer(web)
    college.publish()
    credential = college.credential()
    credential["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "n", "targetUrl": f"https://e.org/{number}", "targetCode": "c"}
        for number in range(1_300)
    ]
    holder = PrivateKey.generate(KeyType.ED25519)
    token = sign_presentation_jwt(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [college.sign(credential)],
        },
        holder,
        did_key_verification_method_id(holder.public_key),
        did_key_for(holder.public_key),
        challenge="n-1",
    )
    body = {"verifiablePresentation": token, "options": {"challenge": "n-1"}}

    async def proof_of_the_credential(headers: dict[str, str]) -> dict[str, Any]:
        async with client_of(app) as client:
            answer = await client.post("/presentations/verify", json=body, headers=headers)
        assert answer.status_code == 200, answer.text
        checks = answer.json()["credentialResults"][0]["checks"]
        found: dict[str, Any] = next(check for check in checks if check["id"] == "proof")
        return found

    anonymous = await proof_of_the_credential({})
    assert anonymous["outcome"] == "failed"
    assert "5000" in anonymous["message"] or "5,000" in anonymous["message"], anonymous["message"]
    assert (await proof_of_the_credential(auth(ADMIN_TOKEN)))["outcome"] == "passed"


async def test_a_request_beyond_the_bounds_is_refused_before_its_body_is_read(
    app: FastAPI, gate: Gate
) -> None:
    """At the ASGI level: the refused request's body is never received (a flood costs only headers)."""
    admission = services_of(app).get(Admission)
    found: list[httpx.Response] = []
    with anyio.fail_after(20):
        async with client_of(app) as client, anyio.create_task_group() as tasks:
            for _ in range(2):
                tasks.start_soon(post_into, client, found, SMALL)
            await until(lambda: admission.admitted("small") == 2)

            received: list[str] = []
            sent: list[dict[str, Any]] = []

            async def receive() -> dict[str, Any]:
                received.append("body")
                return {"type": "http.request", "body": b"{}", "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": "/credentials/verify",
                "raw_path": b"/credentials/verify",
                "query_string": b"",
                "root_path": "",
                "headers": [
                    (b"host", b"passport.test"),
                    (b"content-type", b"application/json"),
                    (b"content-length", b"2"),
                ],
                "client": ("203.0.113.7", 40000),
                "server": ("passport.test", 80),
            }
            await app(scope, receive, send)
            gate.open()
    assert sent[0]["status"] == 429
    assert received == []
