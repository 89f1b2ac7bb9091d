"""parent organization registration number

Revision ID: a1c0de5e0001
Revises: 527b89b7e63f
Create Date: 2026-12-01 14:30:00

Existing organizations keep no number (NULL) until a super admin adds one; new ones must give one.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0de5e0001'
down_revision = '527b89b7e63f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('parent_organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_number', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_parent_organizations_registration_number'), ['registration_number'])


def downgrade():
    with op.batch_alter_table('parent_organizations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_parent_organizations_registration_number'), type_='unique')
        batch_op.drop_column('registration_number')
