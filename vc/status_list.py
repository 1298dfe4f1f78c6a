"""Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/).

`StatusList` is the bitstring (index 0 is the left-most bit, §2.2 encodedList): each entry is `status_size`
bits wide, entry *i* starting at bit *i* x `status_size` (§3.3), most significant bit first. `encode`/`decode`
give its ``encodedList`` form (multibase base64url of the GZIP-compressed bits, §3.3/§3.4).
`BitstringStatusSource` is the verifier's status port: it fetches the list credential through an injected
function, verifies that credential with the same pipeline as any other, and reads the entry (§3.2 Validate
Algorithm).

``statusSize`` and ``statusMessage`` belong to the credential's ``BitstringStatusListEntry`` (§2.1), where the
VC 2.0 context defines them; the issuer commits to its messages at issuance. §2.2 still mentions
``credentialSubject.statusSize`` on the list, a leftover from an earlier draft (w3c/vc-bitstring-status-list
issue 175) that no context defines, so a list never carries them here.
"""

from __future__ import annotations

import base64
import gzip
import re
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cachetools import LRUCache

from .errors import MALFORMED_VALUE_ERROR, ParsingError, VcError
from .fields import issuer_id
from .report import Outcome
from .verify import Ports, StatusResult, verify_credential

MIN_LENGTH = 131_072  # §6.1: at least 131,072 entries (16 KB of single bits), for herd privacy
MAX_LENGTH = 8 * 16 * 1024 * 1024  # refuse lists that would decompress past 16 MiB (gzip bombs)
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
MAX_STATUS_SIZE = 8

#: Our ``message`` entries (§2.1 statusMessage): two bits per credential, one status at a time. A revoked
#: credential stays revoked, a suspended one can be reinstated (0x0). 0x3 is unused ("undefined", as §2.1
#: allows: the array has one message per possible value).
VALID, SUSPENDED, REVOKED = 0, 1, 2
SUSPENSION_STATUS_SIZE = 2
SUSPENSION_STATUS_MESSAGES: tuple[dict[str, str], ...] = (
    {"status": "0x0", "message": "valid"},
    {"status": "0x1", "message": "suspended"},
    {"status": "0x2", "message": "revoked"},
    {"status": "0x3", "message": "undefined"},
)


class StatusList:
    """A mutable list of `length` entries of `status_size` bits each (§3.3)."""

    def __init__(self, length: int = MIN_LENGTH, bits: bytes | None = None, *, status_size: int = 1) -> None:
        if not 1 <= status_size <= MAX_STATUS_SIZE:
            raise ValueError(f"a status size is 1 to {MAX_STATUS_SIZE} bits")
        if length <= 0 or (length * status_size) % 8:
            raise ValueError("a status list holds a positive number of entries filling whole bytes")
        self.length = length
        self.status_size = status_size
        self._bits = bytearray(bits if bits is not None else length * status_size // 8)
        if len(self._bits) * 8 != length * status_size:
            raise ValueError("bits do not match the length")

    def __getitem__(self, index: int) -> bool:
        """Whether the entry is set (any bit of it)."""
        return self.value(index) != 0

    def __setitem__(self, index: int, value: bool) -> None:
        self.set_value(index, 1 if value else 0)

    def value(self, index: int) -> int:
        """The entry's status value (§3.2 step 10: the bits at index x statusSize)."""
        self._check(index)
        value = 0
        for position in range(index * self.status_size, (index + 1) * self.status_size):
            value = (value << 1) | bool(self._bits[position // 8] & (0x80 >> (position % 8)))
        return value

    def set_value(self, index: int, value: int) -> None:
        self._check(index)
        if not 0 <= value < 1 << self.status_size:
            raise ValueError(f"status {value} does not fit in {self.status_size} bit(s)")
        for offset in range(self.status_size):
            position = index * self.status_size + offset
            mask = 0x80 >> (position % 8)
            if value & (1 << (self.status_size - 1 - offset)):
                self._bits[position // 8] |= mask
            else:
                self._bits[position // 8] &= ~mask & 0xFF

    def _check(self, index: int) -> None:
        if not 0 <= index < self.length:
            raise IndexError(f"status index {index} is outside the list (0..{self.length - 1})")

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """§3.3 Bitstring Generation: ``u`` + base64url (no padding) of the GZIP-compressed bitstring."""
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded_list: str, status_size: int = 1) -> StatusList:
        """§3.4 Bitstring Expansion Algorithm, with a bound on the decompressed size."""
        if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
            raise ParsingError("encodedList must be multibase base64url (prefix 'u')")
        bits = _expand(encoded_list)
        if (len(bits) * 8) % status_size:
            raise ParsingError(f"encodedList does not hold whole entries of {status_size} bits")
        return cls(len(bits) * 8 // status_size, bits, status_size=status_size)


# A verifier reads the same few lists again and again: the last expansions, at most 32 MiB of them (a list
# may expand to 16 MiB from a few bytes of GZIP). Errors are raised again each time.
_expanded: LRUCache[str, bytes] = LRUCache(maxsize=32 * 1024 * 1024, getsizeof=len)
_expanded_lock = threading.Lock()


def _expand(encoded_list: str) -> bytes:
    with _expanded_lock:
        remembered = _expanded.get(encoded_list)
    if remembered is not None:
        return remembered
    bits = _decompress(encoded_list)
    with _expanded_lock:
        _expanded[encoded_list] = bits
    return bits


def _decompress(encoded_list: str) -> bytes:
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
    return bits


def status_entry(
    list_credential_id: str,
    index: int,
    purpose: str = "revocation",
    *,
    status_size: int = 1,
    status_messages: Sequence[Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """A `BitstringStatusListEntry` for a credential (§2.1); ``statusSize`` and ``statusMessage`` only
    when given (a plain one-bit entry is what most verifiers understand)."""
    entry: dict[str, Any] = {
        "id": f"{list_credential_id}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_id,
    }
    if status_size != 1 or status_messages is not None:
        entry["statusSize"] = status_size
        entry["statusMessage"] = [dict(message) for message in status_messages or ()]
    return entry


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
    """Status port for `BitstringStatusListEntry`: fetch, verify, read the entry.

    The list credential must verify with the same key resolver and must come from the credential's own
    issuer (our policy; §3.2 lets a verifier choose one). One-bit ``revocation`` and ``suspension`` entries
    are read as set / unset. A ``message`` entry is read through its own ``statusMessage`` (§2.1): the
    messages ``valid``, ``suspended`` and ``revoked`` are understood; any other message, a malformed
    entry or list, or anything else that cannot be established raises, so the status check fails closed.
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
        size = _status_size(entry.get("statusSize", 1))
        if purpose != "message" and size != 1:
            raise StatusError(f"statusSize {size} is supported only for 'message' entries, not {purpose!r}")
        messages = _status_messages(entry, size) if purpose == "message" or "statusMessage" in entry else None
        subject = self._list_subject(list_url, credential, now)
        if subject.get("statusPurpose") != purpose:
            raise StatusError(f"the status list is not for {purpose!r}")
        bits = StatusList.decode(subject.get("encodedList"), size)  # type: ignore[arg-type]
        if bits.length < MIN_LENGTH:
            raise StatusError(f"the status list has {bits.length} entries; the minimum is {MIN_LENGTH}")
        try:
            value = bits.value(index)
        except IndexError as error:
            raise StatusError(str(error)) from None
        if purpose == "message":
            assert messages is not None
            return _message_result(messages[value], value)
        word = {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"flagged ({purpose})")
        message = f"The credential has been {word}." if value else f"The credential has not been {word}."
        return StatusResult(purpose=purpose, is_set=bool(value), message=message)

    def _list_subject(self, list_url: str, credential: Mapping[str, Any], now: datetime) -> Mapping[str, Any]:
        """§3.2 step 4: dereference the list and verify it; the subject of a list from the same issuer."""
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
        return subject


def _status_size(value: Any) -> int:
    """§2.1 statusSize: an integer greater than zero (at most 8 bits here: one message per value)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STATUS_SIZE:
        raise StatusError(f"statusSize must be an integer from 1 to {MAX_STATUS_SIZE}")
    return value


def _status_messages(entry: Mapping[str, Any], size: int) -> list[str]:
    """§2.1 statusMessage: one ``{status: "0x..", message}`` per possible value; the messages by value."""
    items = entry.get("statusMessage")
    if not isinstance(items, list) or len(items) != 1 << size:
        raise StatusError(f"statusMessage must list {1 << size} messages for a statusSize of {size}")
    messages: dict[int, str] = {}
    for item in items:
        status = item.get("status") if isinstance(item, Mapping) else None
        message = item.get("message") if isinstance(item, Mapping) else None
        if not isinstance(status, str) or not isinstance(message, str) or not _HEX.fullmatch(status):
            raise StatusError("each statusMessage needs a status (0x-prefixed hexadecimal) and a message")
        value = int(status, 16)
        if value >= 1 << size or value in messages:
            raise StatusError(f"statusMessage status {status} is out of range or listed twice")
        messages[value] = message
    return [messages[value] for value in range(1 << size)]


_HEX = re.compile(r"0x[0-9a-fA-F]{1,2}")
_UNDERSTOOD = {
    "valid": ("message", False, "The credential has not been revoked or suspended."),
    "suspended": ("suspension", True, "The credential has been suspended."),
    "revoked": ("revocation", True, "The credential has been revoked."),
}


def _message_result(message: str, value: int) -> StatusResult:
    understood = _UNDERSTOOD.get(message)
    if understood is None:
        raise StatusError(
            f"the credential's status is {value:#x} ({message[:100]!r}), which is not understood"
        )
    purpose, is_set, text = understood
    return StatusResult(purpose=purpose, is_set=is_set, message=text)


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
