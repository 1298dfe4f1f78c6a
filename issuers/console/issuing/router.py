"""The issuing sections' pages, one router for the composition root."""

from fastapi import APIRouter

from . import cohort_pages, issue_pages, key_pages

router = APIRouter(include_in_schema=False)
router.include_router(issue_pages.router)
router.include_router(cohort_pages.router)
router.include_router(key_pages.router)
