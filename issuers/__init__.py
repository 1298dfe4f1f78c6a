"""Providers (issuers): onboarding, signing keys encrypted at rest, achievements, issuing single and
bulk, revocation. A web/database shell over the pure `vc` core (see the issuer-service issue)."""
