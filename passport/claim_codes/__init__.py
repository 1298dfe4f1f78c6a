"""Event claim codes: a provider opens a short code for an event, naming one of its achievements; people
at the event scan its QR code (or type its short link, ``/c/<code>``), confirm their address, and the
credential is issued to them through the issuers' own issuing service, so it lands in their passport
like any other.

Here, in the passport's layer, because a claim is a person asking for a credential into their passport:
the confirmation is the passport's emailed link and outbox, and a signed-in learner claims directly. The
provider's side (API and console section) calls the issuers' services only (`issuers.issuing`), never
their tables.
"""
