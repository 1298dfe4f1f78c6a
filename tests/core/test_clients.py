"""The one client address of the app: X-Forwarded-For only from configured proxies (core.clients)."""

from __future__ import annotations

import pytest

from core.clients import TrustedProxies


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    nobody = TrustedProxies.parse([])
    assert nobody.client_of("127.0.0.1", ["203.0.113.9"]) == "127.0.0.1"
    assert nobody.client_of("10.0.0.1", ["203.0.113.9"]) == "10.0.0.1"


def test_a_trusted_proxy_chain_is_read_right_to_left() -> None:
    proxies = TrustedProxies.parse(["10.0.0.0/8", " 192.0.2.7 ", "::1"])
    assert proxies.client_of("203.0.113.5", ["198.51.100.1"]) == "203.0.113.5"  # not a proxy: ignored
    assert proxies.client_of("10.1.2.3", ["198.51.100.1"]) == "198.51.100.1"
    assert proxies.client_of("10.1.2.3", ["6.6.6.6, 198.51.100.1, 192.0.2.7"]) == "198.51.100.1"
    assert proxies.client_of("10.1.2.3", ["6.6.6.6", "198.51.100.1"]) == "198.51.100.1"  # two headers
    assert proxies.client_of("::1", ["2001:db8::5"]) == "2001:db8::5"
    assert proxies.client_of("::ffff:10.0.0.9", ["198.51.100.1"]) == "198.51.100.1"  # IPv4-mapped
    assert proxies.client_of("10.1.2.3", ["unknown, 198.51.100.1"]) == "198.51.100.1"
    assert proxies.client_of("10.1.2.3", ["198.51.100.1, garbage"]) == "10.1.2.3"
    assert proxies.client_of("10.1.2.3", []) == "10.1.2.3"


def test_a_setting_that_is_not_an_address_or_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"proxy\.example"):
        TrustedProxies.parse(["proxy.example"])
