"""Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/).

`StatusList` is the bitstring (index 0 is the left-most bit, §4.1); `encode`/`decode` give its
``encodedList`` form (multibase base64url of the GZIP-compressed bits, §4.3); `BitstringStatusSource`
is the verifier's status port: it fetches the list credential through an injected function, verifies
that credential with the same pipeline as any other, and reads the bit (§3.2 validate algorithm).
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .errors import MALFORMED_VALUE_ERROR, ParsingError, VcError
from .fields import issuer_id
from .report import Outcome
from .verify import Ports, StatusResult, verify_credential

MIN_LENGTH = 131_072  # §6.1: at least 16 KB of bits, for herd privacy
MAX_LENGTH = 8 * 16 * 1024 * 1024  # refuse lists that would decompress past 16 MiB (gzip bombs)
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"


class StatusList:
    """A mutable bitstring of `length` status bits."""

    def __init__(self, length: int = MIN_LENGTH, bits: bytes | None = None) -> None:
        if length % 8 or length <= 0:
            raise ValueError("a status list length is a positive multiple of 8")
        self.length = length
        self._bits = bytearray(bits if bits is not None else length // 8)
        if len(self._bits) * 8 != length:
            raise ValueError("bits do not match the length")

    def __getitem__(self, index: int) -> bool:
        self._check(index)
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def __setitem__(self, index: int, value: bool) -> None:
        self._check(index)
        mask = 0x80 >> (index % 8)
        if value:
            self._bits[index // 8] |= mask
        else:
            self._bits[index // 8] &= ~mask & 0xFF

    def _check(self, index: int) -> None:
        if not 0 <= index < self.length:
            raise IndexError(f"status index {index} is outside the list (0..{self.length - 1})")

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """§4.3 Generate Algorithm: ``u`` + base64url (no padding) of the GZIP-compressed bitstring."""
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded_list: str) -> StatusList:
        """§4.4 Expand Algorithm, with a bound on the decompressed size."""
        if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
            raise ParsingError("encodedList must be multibase base64url (prefix 'u')")
        body = encoded_list[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=31)  # 31: gzip container
            bits = inflater.decompress(compressed, MAX_LENGTH // 8 + 1)
        except (ValueError, zlib.error):
            raise ParsingError("encodedList is not base64url-encoded GZIP data") from None
        if len(bits) > MAX_LENGTH // 8 or inflater.unconsumed_tail:
            raise ParsingError("encodedList decompresses to more than the allowed size")
        if not inflater.eof:
            raise ParsingError("encodedList is truncated GZIP data")
        if not bits:
            raise ParsingError("encodedList is empty")
        return cls(len(bits) * 8, bits)


def status_entry(list_credential_id: str, index: int, purpose: str = "revocation") -> dict[str, Any]:
    """A `BitstringStatusListEntry` for a credential (§2.1)."""
    return {
        "id": f"{list_credential_id}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_id,
    }


def status_list_credential(
    list_id: str, issuer: str, status_list: StatusList, purpose: str, valid_from: str
) -> dict[str, Any]:
    """An unsigned `BitstringStatusListCredential` (§2.2)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_id,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }


ListFetcher = Callable[[str], Mapping[str, Any] | str]


class StatusError(VcError):
    code = "status_unavailable"
    problem_type = MALFORMED_VALUE_ERROR


class BitstringStatusSource:
    """Status port for `BitstringStatusListEntry`: fetch, verify, read the bit.

    The list credential must verify with the same key resolver and must come from the credential's own
    issuer (our policy; §3.2 lets a verifier choose one). Anything that cannot be established raises,
    so the status check fails closed.
    """

    def __init__(self, fetch: ListFetcher, ports: Ports) -> None:
        self._fetch = fetch
        self._ports = Ports(resolver=ports.resolver, loader=ports.loader)  # no status or trust recursion

    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        if entry.get("type") != ENTRY_TYPE:
            raise StatusError(f"status type {entry.get('type')!r} is not supported")
        purpose = entry.get("statusPurpose")
        list_url = entry.get("statusListCredential")
        index = _index(entry.get("statusListIndex"))
        if not isinstance(purpose, str) or not isinstance(list_url, str):
            raise StatusError("status entry needs statusPurpose and statusListCredential")
        if entry.get("statusSize", 1) != 1:
            raise StatusError("only one-bit statuses (statusSize 1) are supported")
        try:
            fetched = self._fetch(list_url)
        except VcError:
            raise
        except Exception as error:  # a fetcher's network or timeout error: the status is unknown
            raise StatusError(
                f"the status list {list_url} could not be fetched ({type(error).__name__})"
            ) from None
        report = verify_credential(fetched, self._ports, now)
        failed = [check for check in report.checks if check.outcome is Outcome.FAILED]
        if failed:
            raise StatusError(f"the status list {list_url} does not verify: {failed[0].message}")
        list_credential = report.credential or {}
        if LIST_CREDENTIAL_TYPE not in (list_credential.get("type") or []):
            raise StatusError(f"{list_url} is not a {LIST_CREDENTIAL_TYPE}")
        if report.issuer_id != issuer_id(credential):
            raise StatusError("the status list was not issued by the credential's issuer")
        if list_credential.get("id") != list_url:
            raise StatusError("the status list's id does not match the URL it was fetched from")
        subject = list_credential.get("credentialSubject")
        if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
            raise StatusError("the status list credential's subject is not a BitstringStatusList")
        if subject.get("statusPurpose") != purpose:
            raise StatusError(f"the status list is not for {purpose!r}")
        bits = StatusList.decode(subject.get("encodedList"))  # type: ignore[arg-type]
        if bits.length < MIN_LENGTH:
            raise StatusError(f"the status list has {bits.length} entries; the minimum is {MIN_LENGTH}")
        try:
            is_set = bits[index]
        except IndexError as error:
            raise StatusError(str(error)) from None
        word = {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"flagged ({purpose})")
        message = f"The credential has been {word}." if is_set else f"The credential has not been {word}."
        return StatusResult(purpose=purpose, is_set=is_set, message=message)


def _index(value: Any) -> int:
    # The spec says a decimal string; some issuers (and the 1EdTech fixtures) write a JSON number.
    if isinstance(value, bool):
        raise StatusError("statusListIndex must be a non-negative integer")
    # isdigit() would accept "²" and other non-ASCII digits; only 0-9 is a decimal string here.
    if isinstance(value, int) or (
        isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) < 12
    ):
        index = int(value)
        if index >= 0:
            return index
    raise StatusError("statusListIndex must be a non-negative integer")
