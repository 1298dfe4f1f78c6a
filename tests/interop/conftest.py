"""The reference JavaScript stack (tests/interop/node): jsonld.js, rdf-canonize and Digital Bazaar's vc.

Without node or its packages (`npm ci` in tests/interop/node) these tests are skipped with the reason,
unless PASSPORT_REQUIRE_NODE=1 (.ci/run sets it after `npm ci`), so CI can never pass by skipping them.
"""

from __future__ import annotations

import pytest

from tests.interop.differential import node_required, node_unavailable


@pytest.fixture(scope="session")
def reference_stack() -> None:
    reason = node_unavailable()
    if reason is None:
        return
    if node_required():
        pytest.fail(f"PASSPORT_REQUIRE_NODE=1 but {reason}")
    pytest.skip(reason)
