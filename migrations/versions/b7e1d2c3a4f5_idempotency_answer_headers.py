"""idempotency keys keep the answer's headers (content type, X-Live-V, HX-*, Location) for HTML form replays

Revision ID: b7e1d2c3a4f5
Revises: a03fc95f5421
Create Date: 2026-12-01 15:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1d2c3a4f5'
down_revision = 'a03fc95f5421'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_headers', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('response_headers')
