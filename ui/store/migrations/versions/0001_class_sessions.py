"""Class sessions, their students, attempts and reveals; stored models.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "class_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("kinds", sa.String(400), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("model_id", sa.String(16)),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("expires_at", sa.Double, nullable=False),
        sa.Column("closed_at", sa.Double),
        sa.PrimaryKeyConstraint("id", name="pk_class_sessions"),
        sa.UniqueConstraint("code", name="uq_class_sessions_code"),
    )
    op.create_index("ix_class_sessions_expires_at", "class_sessions", ["expires_at"])
    op.create_table(
        "class_students",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, nullable=False),
        sa.Column("nickname", sa.String(24), nullable=False),
        sa.Column("nickname_key", sa.String(24), nullable=False),
        sa.Column("seat_hash", sa.String(64), nullable=False),
        sa.Column("joined_at", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_class_students"),
        sa.ForeignKeyConstraint(["class_id"], ["class_sessions.id"], name="fk_class_students_class_id",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("seat_hash", name="uq_class_students_seat_hash"),
        sa.UniqueConstraint("class_id", "nickname_key", name="uq_class_students_nickname"),
    )
    for table, unique in (("class_attempts", ("student_id", "question", "attempt_key")),
                          ("class_reveals", ("student_id", "question"))):
        extra = ([sa.Column("attempt_key", sa.String(64), nullable=False),
                  sa.Column("typed", sa.String(1000), nullable=False),
                  sa.Column("normalized", sa.String(1000), nullable=False),
                  sa.Column("correct", sa.Boolean, nullable=False),
                  sa.Column("revealed", sa.Boolean, nullable=False)] if table == "class_attempts" else [])
        op.create_table(
            table,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("class_id", sa.Integer, nullable=False),
            sa.Column("student_id", sa.Integer, nullable=False),
            sa.Column("question", sa.Integer, nullable=False),
            *extra,
            sa.Column("created_at", sa.Double, nullable=False),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.ForeignKeyConstraint(["class_id"], ["class_sessions.id"], name=f"fk_{table}_class_id", ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["student_id"], ["class_students.id"], name=f"fk_{table}_student_id",
                                    ondelete="CASCADE"),
            sa.UniqueConstraint(*unique, name="uq_class_attempts_key" if table == "class_attempts"
                                else "uq_class_reveals_question"),
        )
        op.create_index(f"ix_{table}_class_id", table, ["class_id"])
    op.create_table(
        "stored_models",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("expires_at", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stored_models"),
    )
    op.create_index("ix_stored_models_sha256", "stored_models", ["sha256"])
    op.create_index("ix_stored_models_expires_at", "stored_models", ["expires_at"])


def downgrade() -> None:
    for table in ("stored_models", "class_reveals", "class_attempts", "class_students", "class_sessions"):
        op.drop_table(table)
