"""The bounded fetcher at its ports: httpx.MockTransport for the network, a table for DNS, a fake clock."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import httpx
import pytest

from vc.errors import ParsingError
from verification.fetcher import BoundedFetcher, FetchError, FetchPolicy, is_public

PUBLIC = "93.184.215.14"
OTHER_PUBLIC = "151.101.1.69"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fetcher(
    handler: Callable[[httpx.Request], httpx.Response],
    dns: dict[str, list[str]] | None = None,
    clock: Clock | None = None,
    **policy: object,
) -> BoundedFetcher:
    table = dns if dns is not None else {"issuer.example": [PUBLIC]}

    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("NXDOMAIN")
        return table[host]

    return BoundedFetcher(
        FetchPolicy(**policy),  # type: ignore[arg-type]
        transport=httpx.MockTransport(handler),
        resolve_host=resolve,
        clock=clock or Clock(),
    )


def ok(body: bytes = b'{"id": "x"}', **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, content=body, headers=headers)


def test_connects_to_the_checked_address_and_keeps_the_name_for_host_and_tls() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "x"})

    assert fetcher(handler).fetch_json("https://issuer.example/.well-known/did.json") == {"id": "x"}
    (request,) = seen
    assert str(request.url) == f"https://{PUBLIC}/.well-known/did.json"
    assert request.headers["host"] == "issuer.example"
    assert request.extensions["sni_hostname"] == "issuer.example"


def test_a_port_travels_in_the_host_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    fetcher(handler).fetch_json("https://issuer.example:8443/did.json")
    assert seen[0].headers["host"] == "issuer.example:8443"
    assert seen[0].url.port == 8443


@pytest.mark.parametrize(
    "url",
    [
        "http://issuer.example/did.json",
        "ftp://issuer.example/did.json",
        "file:///etc/passwd",
        "https://user:pass@issuer.example/did.json",
        "https:///did.json",
    ],
)
def test_only_plain_https_urls_are_fetched(url: str) -> None:
    with pytest.raises(FetchError):
        fetcher(ok()).fetch_bytes(url)


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::",
        "ff02::1",
    ],
)
def test_non_public_addresses_are_refused_before_any_request(address: str) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={})

    with pytest.raises(FetchError, match="is not a public Internet host"):
        fetcher(handler, dns={"issuer.example": [address]}).fetch_bytes("https://issuer.example/did.json")
    assert requests == []


def test_an_ip_literal_url_is_checked_too() -> None:
    with pytest.raises(FetchError, match="is not a public Internet host"):
        fetcher(ok()).fetch_bytes("https://127.0.0.1/did.json")
    with pytest.raises(FetchError, match="is not a public Internet host"):
        fetcher(ok()).fetch_bytes("https://[::1]/did.json")


def test_one_private_answer_among_public_ones_is_refused() -> None:
    dns = {"issuer.example": [PUBLIC, "10.0.0.1"]}
    with pytest.raises(FetchError, match="is not a public Internet host"):
        fetcher(ok(), dns=dns).fetch_bytes("https://issuer.example/did.json")


def test_allow_private_lifts_the_address_check_only() -> None:
    dns = {"localhost.example": ["127.0.0.1"]}
    loose = fetcher(ok(), dns=dns, allow_private=True)
    assert loose.fetch_json("https://localhost.example/did.json") == {"id": "x"}
    with pytest.raises(FetchError, match="only https"):
        loose.fetch_bytes("http://localhost.example/did.json")


def test_unresolvable_host_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="is not a public Internet host that resolves"):
        fetcher(ok()).fetch_bytes("https://nowhere.example/did.json")


def test_the_message_never_says_what_an_internal_host_resolves_to(caplog: pytest.LogCaptureFixture) -> None:
    """Attack run: "resolves to a non-public address (127.0.0.1)" mapped internal names for whoever
    submitted a credential. One message for a private and an unresolvable host; details in the log."""
    dns = {"db.internal.example": ["10.20.30.40"]}
    with pytest.raises(FetchError) as private:
        fetcher(ok(), dns=dns).fetch_bytes("https://db.internal.example/did.json")
    with pytest.raises(FetchError) as unresolvable:
        fetcher(ok(), dns=dns).fetch_bytes("https://nothing.internal.example/did.json")
    assert "10.20.30.40" not in private.value.message
    assert private.value.message.replace("db.", "nothing.") == unresolvable.value.message
    assert "10.20.30.40" in caplog.text


def test_redirects_are_followed_and_each_target_checked() -> None:
    dns = {"issuer.example": [PUBLIC], "cdn.example": [OTHER_PUBLIC], "inside.example": ["10.0.0.7"]}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["host"] == "issuer.example":
            target = "https://cdn.example/doc" if request.url.path == "/good" else "https://inside.example/"
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, json={"id": "from cdn"})

    assert fetcher(handler, dns=dns).fetch_json("https://issuer.example/good") == {"id": "from cdn"}
    with pytest.raises(FetchError, match="is not a public Internet host"):
        fetcher(handler, dns=dns).fetch_bytes("https://issuer.example/bad")


def test_redirect_to_http_is_refused() -> None:
    handler = ok()

    def redirect(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(301, headers={"Location": "http://issuer.example/next"})
        return handler(request)

    with pytest.raises(FetchError, match="only https"):
        fetcher(redirect).fetch_bytes("https://issuer.example/start")


def test_redirects_are_limited() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": f"/hop{len(request.url.path)}"})

    with pytest.raises(FetchError, match="redirects more than 2 times"):
        fetcher(loop, max_redirects=2).fetch_bytes("https://issuer.example/start")


def test_declared_oversized_response_is_refused() -> None:
    big = ok(b"x" * 2000, **{"Content-Length": "2000"})
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetcher(big, max_bytes=1000).fetch_bytes("https://issuer.example/did.json")


def test_streamed_oversized_response_is_cut_off() -> None:
    produced: list[int] = []

    def stream() -> httpx.SyncByteStream:
        class Endless(httpx.SyncByteStream):
            def __iter__(self):  # type: ignore[no-untyped-def]
                for _ in range(10_000):
                    produced.append(1)
                    yield b"x" * 100

        return Endless()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream())  # no Content-Length

    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetcher(handler, max_bytes=1000).fetch_bytes("https://issuer.example/did.json")
    assert len(produced) <= 11  # reading stopped at the cap


def test_timeout_is_a_clear_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(FetchError, match="did not answer within 5 s"):
        fetcher(slow).fetch_bytes("https://issuer.example/did.json")


@pytest.mark.parametrize("status", [404, 500, 304])
def test_non_200_answers_are_errors(status: int) -> None:
    answer = lambda request: httpx.Response(status)  # noqa: E731
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        fetcher(answer).fetch_bytes("https://issuer.example/did.json")


def test_responses_are_cached_for_max_age_within_bounds() -> None:
    calls: list[int] = []
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json={"n": len(calls)}, headers={"Cache-Control": "public, max-age=120"})

    cached = fetcher(handler, clock=clock)
    url = "https://issuer.example/status/1"
    assert cached.fetch_json(url) == {"n": 1}
    clock.now += 119
    assert cached.fetch_json(url) == {"n": 1}
    clock.now += 2
    assert cached.fetch_json(url) == {"n": 2}


@pytest.mark.parametrize(
    ("cache_control", "ttl"),
    [("max-age=999999", 3600), ("no-store", 30), ("max-age=0", 30), ("", 300)],
)
def test_cache_lifetime_is_clamped(cache_control: str, ttl: float) -> None:
    calls: list[int] = []
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json={}, headers={"Cache-Control": cache_control})

    cached = fetcher(handler, clock=clock)
    cached.fetch_bytes("https://issuer.example/x")
    clock.now += ttl - 1
    cached.fetch_bytes("https://issuer.example/x")
    assert len(calls) == 1
    clock.now += 2
    cached.fetch_bytes("https://issuer.example/x")
    assert len(calls) == 2


def test_failures_are_remembered_briefly() -> None:
    calls: list[int] = []
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503)

    failing = fetcher(handler, clock=clock)
    for _ in range(3):
        with pytest.raises(FetchError):
            failing.fetch_bytes("https://issuer.example/x")
    assert len(calls) == 1
    clock.now += 11
    with pytest.raises(FetchError):
        failing.fetch_bytes("https://issuer.example/x")
    assert len(calls) == 2


def test_fetched_json_goes_through_the_bounded_parser() -> None:
    with pytest.raises(ParsingError, match="duplicate JSON key"):
        fetcher(ok(b'{"id": 1, "id": 2}')).fetch_json("https://issuer.example/x")


def test_is_public() -> None:
    assert is_public(ipaddress.ip_address(PUBLIC))
    assert is_public(ipaddress.ip_address("2606:4700::1111"))
    assert not is_public(ipaddress.ip_address("192.0.2.1"))  # documentation range
