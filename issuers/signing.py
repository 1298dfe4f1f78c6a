"""Checking and signing credentials: one at a time, or a bulk chunk spread over worker processes.

`check_and_sign` is the one path every credential takes: the 1EdTech JSON Schema and the OB 3.0 rules it
cannot express (`schemas.validation`), the JSON-LD signing rules (`signing_refusal`), then a Data Integrity
``eddsa-rdfc-2022`` proof or a VC-JWT. It is
pure (no database, no I/O), so `BulkSigner` can run it in a pool of processes: signing is CPU work under
the GIL, and a cohort is thousands of independent credentials.

The pool is started with ``forkserver`` (never ``fork`` from the threaded web process) and kept for the
life of the job worker. A private key reaches a worker as its JWK over the pool's local pipe, and each
worker keeps the keys it has opened (loading an RSA key validates it: tens of milliseconds).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas.validation import SchemaName, conformance_errors, schema_errors
from vc import data_integrity
from vc.errors import JsonLdError
from vc.jsonld import canonicalize
from vc.jwt import sign_jwt
from vc.keys import PrivateKey

#: A signed document (JSON text with a proof, or a compact JWS), or every reason it was not signed.
Outcome = str | list[str]
#: Credentials per task: small enough to keep both workers busy while the caller builds the next ones.
_BATCH = 25


def _batches(items: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: PrivateKey
    verification_method: str


def credential_problems(credential: Mapping[str, Any]) -> list[str]:
    """Every way the credential fails the 1EdTech schema or the OB 3.0 rules the schema leaves out."""
    return schema_errors(credential, SchemaName.ACHIEVEMENT_CREDENTIAL) + conformance_errors(credential)


def signing_refusal(credential: Mapping[str, Any]) -> list[str]:
    """Why `vc.jsonld` refuses to sign the credential, if it does: every statement signed, or the
    credential refused with a named reason (`vc.errors.Refusal`).

    A Data Integrity proof signs the canonical form, so `vc.data_integrity.sign` applies these rules
    anyway. A VC-JWT signs the JSON bytes, but verification checks its data model with the same JSON-LD
    rules (`vc.proof_check`), so an issuer that skipped them could sign a VC-JWT that verifiers refuse
    (e.g. an evidence URL with a "|": not a well-formed IRI). Successes are remembered
    (`vc.jsonld.canonicalize`), so the Data Integrity signature right after costs no second pass.
    """
    try:
        canonicalize(credential, signing=True)
    except JsonLdError as error:
        return [f"the credential could not be signed ({error.reason.value}): {error.message}"]
    return []


def check_and_sign(
    credential: Mapping[str, Any],
    key: SigningKey,
    created: datetime,
    credential_format: str,
    *,
    rules_checked: bool = False,
) -> Outcome:
    """The signed document as stored and served, or the problems that stopped it from being signed.

    `rules_checked`: the caller has applied `signing_refusal` to a credential of the same making (a
    bulk chunk: see `issuers.bulk`), so a VC-JWT skips it; a Data Integrity proof applies it anyway."""
    problems = credential_problems(credential) or ([] if rules_checked else signing_refusal(credential))
    if problems:
        return problems
    if credential_format == "ldp":
        return json.dumps(data_integrity.sign(credential, key.private_key, key.verification_method, created))
    if credential_format == "jwt":
        return sign_jwt(credential, key.private_key, kid=key.verification_method)
    raise ValueError(f"unknown credential format {credential_format!r}")


class BulkSigner:
    """`check_and_sign` for a chunk of credentials, in this process or in ``processes`` worker processes.

    Results come back in the order of the credentials given.
    """

    def __init__(self, processes: int = 1) -> None:
        self.processes = max(1, processes)
        self._pool: Executor | None = None

    def check_and_sign_all(
        self,
        credentials: Iterable[Mapping[str, Any]],
        key: SigningKey,
        created: datetime,
        credential_format: str,
        *,
        rules_checked: bool = False,
    ) -> list[Outcome]:
        """Results in the order of ``credentials``. With a pool, batches go to the workers as soon as they
        are drawn from ``credentials``, so a caller that builds them lazily builds the next batch while
        the workers sign the last one."""
        if self.processes == 1:
            return [
                check_and_sign(credential, key, created, credential_format, rules_checked=rules_checked)
                for credential in credentials
            ]
        pool = self._start()
        jwk = key.private_key.to_jwk()
        futures = []
        for batch in _batches(credentials):
            futures.append(
                pool.submit(
                    _check_and_sign_batch,
                    key.key_id,
                    jwk,
                    key.verification_method,
                    created,
                    credential_format,
                    rules_checked,
                    batch,
                )
            )
        return [outcome for future in futures for outcome in future.result()]

    def _start(self) -> Executor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            # "__main__" too: the forkserver imports the program once and every worker shares those
            # pages, instead of each worker importing it again (which spawn and forkserver otherwise do).
            context.set_forkserver_preload(["__main__", __name__])
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=_exit_with_the_forkserver
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# --- in a worker process ------------------------------------------------------------------------------------


def _exit_with_the_forkserver() -> None:
    """A worker blocks on its task queue, which it also holds open, so it would outlive a killed service.
    The forkserver exits when the service does; a worker whose parent changes exits too."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-forkserver", daemon=True).start()


_opened: dict[str, tuple[dict[str, str], PrivateKey]] = {}


def _check_and_sign_batch(
    key_id: str,
    jwk: dict[str, str],
    verification_method: str,
    created: datetime,
    credential_format: str,
    rules_checked: bool,
    credentials: list[Mapping[str, Any]],
) -> list[Outcome]:
    opened = _opened.get(key_id)
    if opened is None or opened[0] != jwk:
        if len(_opened) >= 64:
            _opened.clear()
        opened = _opened[key_id] = (jwk, PrivateKey.from_jwk(jwk))
    key = SigningKey(key_id, opened[1], verification_method)
    return [
        check_and_sign(credential, key, created, credential_format, rules_checked=rules_checked)
        for credential in credentials
    ]
