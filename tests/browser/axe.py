"""axe-core (Deque, bundled by axe-playwright-python) on a page open in the browser: no serious or critical
violation is allowed. Use it on every page a browser test opens: ``assert_accessible(page)``."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING = {"serious", "critical"}
_axe = Axe()


def violations(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page as it stands (WCAG 2.x A and AA rules, and axe's best practices)."""
    results = _axe.run(page)
    found: list[dict[str, Any]] = results.response["violations"]
    return found


def assert_accessible(page: Page) -> None:
    blocking = [v for v in violations(page) if v.get("impact") in BLOCKING]
    assert not blocking, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[node['target'] for node in v['nodes']][:5]}"
        for v in blocking
    )
