"""Publications keep the published JSON as text too, so the sync API ships it as stored.

Converting JSONB back to text for 1,000 documents per sync cost more than the rest of the
request; the text column is the exact JSON of the document (what stores also receive).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("promotion_publications", sa.Column("document_text", sa.Text(), nullable=True))
    op.execute("UPDATE promotion_publications SET document_text = document::text")


def downgrade() -> None:
    op.drop_column("promotion_publications", "document_text")
