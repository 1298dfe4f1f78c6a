"""The kernel every domain builds on: the database and its one transaction per request, RFC 9457 problems,
request dependencies, the typed services the composition root provides, the page foundation, keys at
rest, refresh-ahead caches and QR codes. It imports no domain (an import-linter contract checks it)."""
