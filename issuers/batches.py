"""Issuing many credentials of one achievement in one transaction: a cohort's chunk (`issuers.bulk`) and a
batch of event claims (`passport.claim_codes.issuing`).

A batch costs much less than its credentials one by one (`issuing.issue`): one status-index allocation
(on PostgreSQL the provider's open status list stays locked from that allocation to the commit, so one
allocation per batch, not per credential, is what lets a provider's issuing overlap), the provider,
achievement and signing key loaded once, the JSON-LD signing rules checked on one credential of each
shape, signing in worker processes when the `signing.BulkSigner` has them, and one batched insert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.problems import ValidationFailed
from vc.keys import KeyType

from . import identity, issuing, service, signing, status
from .api_models import CredentialCreate
from .models import Achievement, IssuedCredential, Issuer
from .reports import statistics


def issue_batch(
    session: Session,
    config: service.IssuerConfig,
    signer: signing.BulkSigner,
    issuer: Issuer,
    achievement: Achievement,
    requests: Sequence[tuple[int, CredentialCreate]],
    now: datetime,
    *,
    issued_through: Mapping[str, str],
    tag: Callable[[int, IssuedCredential], None] = lambda number, row: None,
) -> list[IssuedCredential]:
    """Sign and store a credential for each request (numbered, for errors and for `tag`, which marks each
    row before it is stored), in the order given; all of one format. A credential the signing rules
    refuse stops the batch with a 422 naming its number, and nothing of the batch is stored.

    Each credential's issue is in the audit trail, as one issued through the API is (its history in the
    console starts there), with `issued_through` (the cohort job or the claim code) added."""
    formats = {request.format for _, request in requests}
    if len(formats) != 1:
        raise ValueError("a batch is of one format")
    credential_format = formats.pop()
    did = service.did_of(config, issuer.id)
    key_type = KeyType.ED25519 if credential_format == "ldp" else KeyType.RSA
    key_row = service.active_key(session, issuer, key_type)
    key = signing.SigningKey(
        key_row.id, service.private_key(config, key_row), identity.verification_method_id(did, key_row)
    )
    parts = issuing.credential_parts(config, issuer, did, achievement, session)
    status_list, indexes = status.allocate(session, issuer, len(requests), now)
    rows: list[tuple[int, IssuedCredential]] = []
    checked_shapes: set[bool] = set()

    def unsigned() -> Iterator[dict[str, Any]]:
        """Built lazily: the signing workers start on the first credentials while the rest are built."""
        for (number, request), index in zip(requests, indexes, strict=True):
            row = issuing.credential_row(issuer, achievement, key_row, request, now)
            row.revocation_list_id, row.revocation_index = status_list.id, index
            tag(number, row)
            rows.append((number, row))
            entry = status.entry(config.base_url, status_list, index)
            credential = issuing.build_credential(config, parts, row, request, now, entry)
            shape = request.result is not None
            if shape not in checked_shapes:
                checked_shapes.add(shape)
                raise_if_refused(number, signing.signing_refusal(credential))
            yield credential

    # The JSON-LD signing rules on one credential of each shape (with and without a result) stand for
    # the batch: its credentials are made from the same parts and differ only in identifiers this
    # service makes and in the recipient's name and result, text literals checked on the way in. A Data
    # Integrity proof applies the rules to each credential anyway (it signs the canonical form).
    outcomes = signer.check_and_sign_all(
        unsigned(), key, now, credential_format, rules_checked=credential_format == "jwt"
    )
    for (number, row), outcome in zip(rows, outcomes, strict=True):
        if isinstance(outcome, list):
            raise_if_refused(number, outcome)
        row.document = issuing.raise_if_not_conformant(outcome)
    credentials = [row for _, row in rows]
    session.add_all(credentials)
    session.flush()
    statistics.count(session, issuer.id, achievement.id, now, "issued", len(credentials))
    for row in credentials:
        issuing.record_issue(session, issuer, achievement, row, now, issued_through)
        issuing.announce(session, config, issuer, achievement, row)
    return credentials


def raise_if_refused(number: int, problems: list[str]) -> None:
    """Stop the batch with the number of the refused credential and why."""
    if problems:
        raise ValidationFailed(
            f"row {number}: {'; '.join(problems)[:900]}", [{"row": number, "msg": problems}]
        )
