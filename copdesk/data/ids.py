"""Row ids that are never handed out twice, on every database.

Undo puts a deleted row back under its old id. SQLite's AUTOINCREMENT (the models'
``sqlite_autoincrement``) notices an explicitly inserted id by itself; PostgreSQL's id
sequences do not. After inserting rows with explicit ids, commands call
:func:`keep_ids_unused` so that the sequence is past the largest id in the table.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase, Session


def keep_ids_unused(session: Session, *models: type[DeclarativeBase]) -> None:
    """Make sure the id generator of each model's table never gives out an id in use.

    Flushes first. A no-op on SQLite; on PostgreSQL one statement per table, which moves
    the sequence forward only (never back), so concurrent inserts keep their ids.
    """
    session.flush()
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name  # type: ignore[attr-defined]
        quoted = dialect.identifier_preparer.quote(table)
        session.execute(
            text(
                "SELECT setval(s.seq, t.top) FROM "
                "(SELECT pg_get_serial_sequence(:table, 'id') AS seq) AS s, "
                f"(SELECT max(id) AS top FROM {quoted}) AS t "
                "WHERE t.top > COALESCE(pg_sequence_last_value(CAST(s.seq AS regclass)), 0)"
            ),
            {"table": quoted},
        )
