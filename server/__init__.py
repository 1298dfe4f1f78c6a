"""Composition root: the CLI now; the web application, settings and database later."""
