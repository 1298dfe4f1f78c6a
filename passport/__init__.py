"""Learners' passports: every credential in one place, sharing by link and QR code, exports
(presentations, CLR 2.0). A web/database shell over the pure `vc` core (see the passport issue)."""
