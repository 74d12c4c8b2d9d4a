"""Alembic's environment for the class store: ui.store.db.migrate() runs it on the connection it passes in
(cfg.attributes["connection"]), inside that connection's transaction and lock."""

from alembic import context

from ui.store.db import VERSION_TABLE
from ui.store.schema import metadata


def run() -> None:
    conn = context.config.attributes["connection"]
    context.configure(connection=conn, target_metadata=metadata, version_table=VERSION_TABLE,
                      render_as_batch=conn.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):         # inside a migration; pytest's doctest collection only imports this file
    run()
