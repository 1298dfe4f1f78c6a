"""1EdTech Revocation List Status Method 1.0 (VCRL, https://www.imsglobal.org/spec/vcrl/v1p0/).

The ``credentialStatus`` entry OB 3.0 §9.1 step 4 names: ``{"id": <URL>, "type": "1EdTechRevocationList"}``.
A GET of ``id`` returns a JSON revocation list whose ``revokedCredentials`` array holds
``{"id", "revoked"?, "revocationReason"?}`` objects; the credential is revoked when its own ``id`` is
listed and ``revoked`` is true or absent. That is how the 1EdTech validator reads it too
(``RevocationListProbe``: exact ``id`` match, ``revoked`` absent or true).

The list is plain JSON, not a credential: nothing signs it. What vouches for it is where it came from,
a URL the issuer wrote into the signed credential, fetched by the injected fetcher (which, in the
service, speaks https only). Where the validator turns an unreachable or unreadable list into a warning,
this source raises, so the status check fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .errors import VcError
from .parsing import parse_json
from .status_list import ListFetcher, StatusError
from .verify import StatusResult

__all__ = ["ENTRY_TYPE", "RevocationListSource"]

ENTRY_TYPE = "1EdTechRevocationList"
MAX_REASON_LENGTH = 200  # the reason is the issuer's free text, shown to the reader; keep it short


class RevocationListSource:
    """Status port for ``1EdTechRevocationList`` entries: fetch the list, look for the credential's id."""

    def __init__(self, fetch: ListFetcher) -> None:
        self._fetch = fetch

    def check(self, entry: Mapping[str, Any], credential: Mapping[str, Any], now: datetime) -> StatusResult:
        if entry.get("type") != ENTRY_TYPE:
            raise StatusError(f"status type {str(entry.get('type'))[:64]!r} is not {ENTRY_TYPE}")
        list_url = entry.get("id")
        if not isinstance(list_url, str) or not list_url.startswith(("https://", "http://")):
            raise StatusError(f"a {ENTRY_TYPE} entry needs the revocation list's URL as its id")
        credential_id = credential.get("id")
        if not isinstance(credential_id, str):
            raise StatusError("the credential has no id, so no revocation list can name it")
        revoked = _revoked_entries(self._fetched(list_url), list_url)
        matches = [item for item in revoked if item["id"] == credential_id]
        # Listed with revoked: false is how an issuer takes a revocation back (VCRL RevokedCredential).
        revoking = [item for item in matches if item.get("revoked", True)]
        if not revoking:
            return StatusResult("revocation", False, "The credential has not been revoked.")
        reason = next((item["revocationReason"] for item in revoking if "revocationReason" in item), None)
        message = "The credential has been revoked."
        if reason:
            message += f" Reason given by the issuer: {reason[:MAX_REASON_LENGTH]}"
        return StatusResult("revocation", True, message)

    def _fetched(self, list_url: str) -> Any:
        try:
            fetched = self._fetch(list_url)
        except VcError:
            raise
        except Exception as error:  # a fetcher's network or timeout error: the status is unknown
            raise StatusError(
                f"the revocation list {list_url[:200]} could not be fetched ({type(error).__name__})"
            ) from None
        return parse_json(fetched) if isinstance(fetched, str) else fetched


def _revoked_entries(document: Any, list_url: str) -> list[Mapping[str, Any]]:
    """The list's ``revokedCredentials``, every entry checked: anything malformed fails closed."""
    where = f"the revocation list {list_url[:200]}"
    if not isinstance(document, Mapping):
        raise StatusError(f"{where} is not a JSON object")
    entries = document.get("revokedCredentials")
    if not isinstance(entries, list):
        raise StatusError(f"{where} has no revokedCredentials array")
    for item in entries:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise StatusError(f"{where} has an entry without a string id")
        if not isinstance(item.get("revoked", True), bool):
            raise StatusError(f"{where} has an entry whose revoked is not true or false")
        if not isinstance(item.get("revocationReason", ""), str):
            raise StatusError(f"{where} has an entry whose revocationReason is not a string")
    return entries
