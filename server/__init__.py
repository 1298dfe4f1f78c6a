"""The composition root: `create_app(settings)`, settings, the `passport` CLI, worker processes, demo data
and the database migrations. It wires the domains together; nothing imports it."""
