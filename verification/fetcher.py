"""The one bounded fetcher: the only way the service reaches another server.

It fetches what verification needs from other issuers (a did:web DID document, an HTTPS controller
document, a Bitstring Status List credential) and nothing else: JSON-LD contexts are never fetched
(`schemas.loader.OfflineDocumentLoader` serves them from local copies).

Bounds, each a setting (`FetchPolicy`):

- ``https`` only, no user info in the URL, and at most `max_redirects` redirects, each checked again;
- the host is resolved once, every address it resolves to must be public (not private, loopback,
  link-local, multicast, reserved, unspecified or shared address space), and the connection goes to the
  address that was checked (TLS still verifies the certificate against the host name), so a second DNS
  answer cannot point the connection elsewhere (no DNS-rebinding gap); `allow_private` lifts the address
  check for tests and local development;
- a timeout per network operation and a deadline for the whole fetch, and a response-size cap enforced
  while streaming (a body is never read past the cap);
- results cached in memory until they expire: ``Cache-Control: max-age`` clamped to
  [`min_cache_seconds`, `max_cache_seconds`], `default_cache_seconds` without one; failures are
  remembered for `failure_cache_seconds`, so a hostile credential cannot make the service hammer a host.

Errors are `FetchError` (a `vc.errors.KeyResolutionError`), whose message the verification report shows.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from cachetools import TLRUCache

from vc.errors import KeyResolutionError
from vc.parsing import parse_json

__all__ = ["BoundedFetcher", "FetchError", "FetchPolicy", "HostResolver", "system_resolver"]

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: host, port -> the addresses the host resolves to (injectable: tests never use DNS).
HostResolver = Callable[[str, int], Sequence[str]]

ACCEPT = "application/did+json, application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.8"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: One message for a host that does not resolve and one that resolves to a private, loopback or other
#: non-public address: the message tells no one what an internal name resolves to, or whether it exists
#: (the service's log has the details).
_NOT_FETCHED = "the host {host} is not a public Internet host that resolves; it is never fetched"
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d{1,10})\"?", re.IGNORECASE)


class FetchError(KeyResolutionError):
    """A document could not be fetched within the bounds; the message says why, in plain words."""

    code = "fetch_error"


@dataclass(frozen=True)
class FetchPolicy:
    timeout_seconds: float = 5.0
    max_bytes: int = 1024 * 1024
    max_redirects: int = 3
    allow_private: bool = False
    default_cache_seconds: float = 300.0
    min_cache_seconds: float = 30.0
    max_cache_seconds: float = 3600.0
    failure_cache_seconds: float = 10.0
    cache_entries: int = 1024


@dataclass
class _Cached:
    expires_at: float
    body: bytes | None
    error: FetchError | None
    parsed: Any = None  # the body as JSON, once someone asked for it


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to (A and AAAA)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address (IANA special-purpose registries, via `ipaddress`)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class BoundedFetcher:
    """Fetch JSON documents over HTTPS within the bounds of a `FetchPolicy`, with a cache.

    `transport` is httpx's pluggable transport (tests pass `httpx.MockTransport`); `resolve_host` replaces
    DNS (tests pass a table); `clock` is monotonic seconds. Thread-safe: the service calls it from
    request threads.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        resolve_host: HostResolver = system_resolver,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._resolve_host = resolve_host
        self._clock = clock
        timeout = httpx.Timeout(self.policy.timeout_seconds)
        # trust_env=False: a proxy from the environment would connect to hosts we never checked.
        self._client = httpx.Client(
            transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
        )
        self._cache: TLRUCache[str, _Cached] = TLRUCache(
            maxsize=self.policy.cache_entries, ttu=lambda _key, value, _now: value.expires_at, timer=clock
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def fetch_json(self, url: str) -> Any:
        """The JSON document at `url` (parsed with the project's bounded parser), from the cache if fresh.

        The parsed document is shared by every caller until it expires: read it, never change it.
        """
        cached = self._entry(url)
        if cached.parsed is None:
            assert cached.body is not None
            cached.parsed = parse_json(cached.body, max_bytes=self.policy.max_bytes)
        return cached.parsed

    def fetch_bytes(self, url: str) -> bytes:
        body = self._entry(url).body
        assert body is not None
        return body

    def _entry(self, url: str) -> _Cached:
        """A fresh cache entry holding a body; a remembered failure is raised again."""
        with self._lock:
            cached = self._cache.get(url)
        if cached is None:
            cached = self._fetch(url)
            with self._lock:
                self._cache[url] = cached
        if cached.error is not None:
            raise cached.error
        return cached

    def _fetch(self, url: str) -> _Cached:
        started = self._clock()
        try:
            body, max_age = self._follow(url, started)
        except FetchError as error:
            return _Cached(started + self.policy.failure_cache_seconds, None, error)
        policy = self.policy
        ttl = policy.default_cache_seconds if max_age is None else max_age
        ttl = min(max(ttl, policy.min_cache_seconds), policy.max_cache_seconds)
        return _Cached(started + ttl, body, None)

    def _follow(self, url: str, started: float) -> tuple[bytes, float | None]:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            response_or_location = self._get_once(current, started)
            if isinstance(response_or_location, str):
                current = urljoin(current, response_or_location)
                continue
            return response_or_location
        raise FetchError(f"{_short(url)} redirects more than {self.policy.max_redirects} times")

    def _get_once(self, url: str, started: float) -> tuple[bytes, float | None] | str:
        """One request: a (body, max-age) pair, or the Location of a redirect to check and follow."""
        host, port, pinned = self._checked_target(url)
        parts = urlsplit(url)
        # Connect to the checked address; Host and SNI (hence certificate checking) keep the name.
        netloc = f"[{pinned}]" if ":" in pinned else pinned
        target = parts._replace(netloc=f"{netloc}:{port}").geturl()
        host_header = f"[{host}]" if ":" in host else host
        headers = {"Host": host_header if port == 443 else f"{host_header}:{port}", "Accept": ACCEPT}
        request = self._client.build_request(
            "GET", target, headers=headers, extensions={"sni_hostname": host}
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise FetchError(
                f"{_short(url)} did not answer within {self.policy.timeout_seconds:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise FetchError(f"{_short(url)} could not be fetched ({type(error).__name__})") from None
        try:
            if response.status_code in _REDIRECTS:
                location: str = response.headers.get("location", "")
                if not location:
                    raise FetchError(f"{_short(url)} redirects without a Location")
                return location
            if response.status_code != 200:
                raise FetchError(f"{_short(url)} answered HTTP {response.status_code}")
            body = self._read_capped(response, url, started)
            return body, _max_age(response.headers.get("cache-control", ""))
        finally:
            response.close()

    def _read_capped(self, response: httpx.Response, url: str, started: float) -> bytes:
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{_short(url)} is larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{_short(url)} is larger than {limit} bytes")
                if self._clock() - started > self.policy.timeout_seconds * 2:
                    raise FetchError(f"{_short(url)} took too long to send")
                chunks.append(chunk)
        except httpx.HTTPError as error:
            raise FetchError(f"{_short(url)} could not be read ({type(error).__name__})") from None
        return b"".join(chunks)

    def _checked_target(self, url: str) -> tuple[str, int, str]:
        """The URL's host and port, and the one checked address the connection will use."""
        try:
            parts = urlsplit(url)
            port = parts.port or 443
        except ValueError:
            raise FetchError(f"{_short(url)} is not a valid URL") from None
        if parts.scheme != "https":
            raise FetchError(f"only https URLs are fetched, not {_short(url)}")
        if parts.username is not None or parts.password is not None or not parts.hostname:
            raise FetchError(f"{_short(url)} is not a plain https URL with a host")
        host = parts.hostname
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = self._resolve(host, port)
        if not self.policy.allow_private:
            refused = [address for address in addresses if not is_public(address)]
            if refused:
                # Whoever submitted the credential reads the message: never say what a name resolves to.
                log.warning(
                    "refused to fetch %s: %s resolves to non-public %s", _short(url), host, refused[0]
                )
                raise FetchError(_NOT_FETCHED.format(host=host[:100]))
        return host, port, str(addresses[0])

    def _resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            answers = self._resolve_host(host, port)
            addresses = [ipaddress.ip_address(answer.split("%", 1)[0]) for answer in answers]
        except (OSError, UnicodeError, ValueError) as error:
            log.info("could not resolve %s: %s", host[:100], type(error).__name__)
            raise FetchError(_NOT_FETCHED.format(host=host[:100])) from None
        if not addresses:
            raise FetchError(_NOT_FETCHED.format(host=host[:100]))
        return addresses


def _max_age(cache_control: str) -> float | None:
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return 0.0  # clamped up to the minimum: even "never cache" is not a licence to refetch per request
    match = _MAX_AGE.search(cache_control)
    return float(match.group(1)) if match else None


def _short(url: str) -> str:
    return repr(url if len(url) <= 120 else url[:117] + "...")
