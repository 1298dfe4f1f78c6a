"""The network operator's console (``/operator/...``): providers and their accreditations, the approval
queue, the published trust list and the network's figures. Routes per section in `providers`,
`accreditations`, `approval_pages` and `published`; `router` holds them all."""

from fastapi import APIRouter

from . import accreditations, approval_pages, providers, published

router = APIRouter(include_in_schema=False)
router.include_router(providers.router)
router.include_router(accreditations.router)
router.include_router(approval_pages.router)
router.include_router(published.router)
