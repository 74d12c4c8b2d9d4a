"""The class store's tables (SQLAlchemy Core). Change them only together with a new migration in
ui/store/migrations/versions/: tests/app/test_store.py checks that the migrated database equals these tables.

Times are seconds since the epoch (UTC), the same in SQLite and PostgreSQL. Nothing secret is stored in clear:
the teacher key and each student's seat token are stored as SHA-256 digests.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["metadata", "classes", "students", "attempts", "reveals", "models"]

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_name)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s", "pk": "pk_%(table_name)s"})

classes = sa.Table(
    "class_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),        # what students type
    sa.Column("key_hash", sa.String(64), nullable=False),                 # SHA-256 of the teacher key
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("kinds", sa.String(400), nullable=False),                   # the exercise set: make_set's arguments
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("tries", sa.Integer, nullable=False),                       # wrong tries before the solution opens
    sa.Column("model_id", sa.String(16)),                                 # the teacher's shared model
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=False, index=True),
    sa.Column("closed_at", sa.Double),
)

students = sa.Table(
    "class_students", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("class_sessions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("nickname", sa.String(24), nullable=False),
    sa.Column("nickname_key", sa.String(24), nullable=False),             # case-folded: unique in the class
    sa.Column("seat_hash", sa.String(64), nullable=False, unique=True),   # SHA-256 of the student's seat token
    sa.Column("joined_at", sa.Double, nullable=False),
    sa.UniqueConstraint("class_id", "nickname_key", name="uq_class_students_nickname"),
)

attempts = sa.Table(
    "class_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("class_sessions.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("student_id", sa.Integer, sa.ForeignKey("class_students.id", ondelete="CASCADE"), nullable=False),
    sa.Column("question", sa.Integer, nullable=False),
    sa.Column("attempt_key", sa.String(64), nullable=False),              # the same answer again is the same attempt
    sa.Column("typed", sa.String(1000), nullable=False),                  # what the student typed, parts joined by |
    sa.Column("normalized", sa.String(1000), nullable=False),             # the numbers read from it
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("revealed", sa.Boolean, nullable=False),                    # typed after opening the solution
    sa.Column("created_at", sa.Double, nullable=False),
    sa.UniqueConstraint("student_id", "question", "attempt_key", name="uq_class_attempts_key"),
)

reveals = sa.Table(
    "class_reveals", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("class_sessions.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("student_id", sa.Integer, sa.ForeignKey("class_students.id", ondelete="CASCADE"), nullable=False),
    sa.Column("question", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.UniqueConstraint("student_id", "question", name="uq_class_reveals_question"),
)

models = sa.Table(
    "stored_models", metadata,
    sa.Column("id", sa.String(16), primary_key=True),                     # what a link carries: ?model=<id>
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("meta", sa.Text, nullable=False),                           # JSON: dataset, source, input shape, classes
    sa.Column("data", sa.LargeBinary, nullable=False),                    # safetensors with the spec (convlab.networks.modelio)
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=False, index=True),
)
