"""Who is calling: the one client address of the whole app (rate limits, logs), and loopback-only routes.

The client address is the socket's peer, unless that peer is one of the configured proxies
(``PASSPORT_TRUSTED_PROXIES``: addresses or CIDR ranges, none by default). Then it is read from
``X-Forwarded-For`` right to left, skipping the trusted proxies: the first address no trusted proxy
added is the client (entries left of it were written by the client itself and prove nothing). An
``X-Forwarded-For`` from anyone else is ignored, loopback included: a local process is not a proxy unless
configured as one.

`ClientAddress` writes the result into the ASGI scope's ``client``, so `client_address`, Starlette's
``request.client`` and uvicorn's access log all say the same. Uvicorn's own proxy-header handling must be
off (``proxy_headers=False``, as `server.workers.uvicorn_options` sets it): it trusts loopback by default
and rewrites the scope before any app code runs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .problems import NotFound

__all__ = ["ClientAddress", "TrustedProxies", "client_address", "loopback_only"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


@dataclass(frozen=True)
class TrustedProxies:
    """The proxies whose ``X-Forwarded-For`` is believed."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> TrustedProxies:
        """From addresses and CIDR ranges (``10.0.0.5``, ``10.0.0.0/8``, ``::1``); `ValueError` if one
        is neither."""
        return cls(
            tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())
        )

    def trusts(self, address: str) -> bool:
        parsed = _address(address)
        return parsed is not None and any(parsed in network for network in self.networks)

    def client_of(self, peer: str, forwarded_for: Iterable[str]) -> str:
        """The client behind `peer`, given every ``X-Forwarded-For`` header value the request carries."""
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        for hop in reversed(hops):
            if _address(hop) is None:
                return peer  # not an address: the chain cannot be followed further than the proxy
            if not self.trusts(hop):
                return str(_address(hop))
        return hops[0] if hops else peer  # every hop is a trusted proxy: the first one began the chain


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `text` names (an IPv4-mapped IPv6 address as its IPv4 one), or None."""
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class ClientAddress:
    """ASGI middleware: the scope's ``client`` becomes the client address (see the module doc)."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app, self.proxies = app, proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.proxies.networks and scope.get("client"):
            peer = scope["client"][0]
            forwarded = [
                value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"
            ]
            client = self.proxies.client_of(peer, forwarded)
            if client != peer:
                scope["client"] = (client, 0)  # in place: uvicorn's access log reads this same scope
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The client's address, as `ClientAddress` established it."""
    return request.client.host if request.client else UNKNOWN


def loopback_only(request: Request) -> None:
    """A dependency for routes only this machine may use (development tools): others get a 404."""
    address = _address(client_address(request))
    if address is None or not address.is_loopback:
        raise NotFound("not found")
