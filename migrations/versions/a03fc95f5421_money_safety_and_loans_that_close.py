"""money safety and loans that close

Loans carry their flat interest and total due, a disbursement moment and a schedule of instalments; a paid
expense links its EXPENSE ledger line; payments may end ABANDONED and may be loan repayments; the ledger knows
EXPENSE lines.

Revision ID: a03fc95f5421
Revises: 4b302063dd61
Create Date: 2026-12-01 14:12:49.812268

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a03fc95f5421'
down_revision = '4b302063dd61'
branch_labels = None
depends_on = None

OLD_CHECKS = {
    ('payments', 'ck_payments_paymentstatus'): "status IN ('PENDING', 'SUCCESSFUL', 'FAILED')",
    ('payments', 'ck_payments_paymentpurpose'): (
        "purpose IN ('MEMBER_REGISTRATION', 'COOPERATIVE_REGISTRATION', 'CONTRIBUTION')"
    ),
    ('transactions', 'ck_transactions_txtype'): (
        "type IN ('FEE', 'CONTRIBUTION', 'LOAN_DISBURSEMENT', 'REPAYMENT', 'WITHDRAWAL', 'ADJUSTMENT')"
    ),
    ('transactions', 'ck_transactions_txcategory'): (
        "category IN ('MEMBER_REGISTRATION', 'COOPERATIVE_REGISTRATION', 'SAVINGS', 'LOAN', 'WITHDRAWAL', 'MANUAL')"
    ),
}
NEW_CHECKS = {
    ('payments', 'ck_payments_paymentstatus'): "status IN ('PENDING', 'SUCCESSFUL', 'FAILED', 'ABANDONED')",
    ('payments', 'ck_payments_paymentpurpose'): (
        "purpose IN ('MEMBER_REGISTRATION', 'COOPERATIVE_REGISTRATION', 'CONTRIBUTION', 'REPAYMENT')"
    ),
    ('transactions', 'ck_transactions_txtype'): (
        "type IN ('FEE', 'CONTRIBUTION', 'LOAN_DISBURSEMENT', 'REPAYMENT', 'WITHDRAWAL', 'EXPENSE', 'ADJUSTMENT')"
    ),
    ('transactions', 'ck_transactions_txcategory'): (
        "category IN ('MEMBER_REGISTRATION', 'COOPERATIVE_REGISTRATION', 'SAVINGS', 'LOAN', 'WITHDRAWAL', "
        "'EXPENSE', 'MANUAL')"
    ),
}


def _replace_checks(checks):
    """Swap the enum CHECK constraints of each table for the given ones."""
    for table in ('payments', 'transactions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for (owner, name), condition in checks.items():
                if owner == table:
                    batch_op.drop_constraint(op.f(name), type_='check')
                    batch_op.create_check_constraint(name.removeprefix(f'ck_{table}_'), condition)


def upgrade():
    op.create_table('loan_instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount_kobo', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_kobo > 0', name=op.f('ck_loan_instalments_amount_positive')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_loan_instalments_number_positive')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_instalments_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_instalments')),
    sa.UniqueConstraint('loan_id', 'number', name='uq_loan_instalments_loan_number')
    )
    with op.batch_alter_table('loan_instalments', schema=None) as batch_op:
        batch_op.create_index('ix_loan_instalments_due_on', ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_loan_instalments_loan_id'), ['loan_id'], unique=False)

    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transaction_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_expenses_transaction_id'), ['transaction_id'])
        batch_op.create_foreign_key(batch_op.f('fk_expenses_transaction_id_transactions'), 'transactions', ['transaction_id'], ['id'])

    # Loans written before interest existed owe exactly their principal.
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interest_bp', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('total_due_kobo', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('disbursed_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE loans SET total_due_kobo = amount_kobo')
    op.execute("UPDATE loans SET disbursed_at = decided_at WHERE status IN ('APPROVED', 'ACTIVE', 'COMPLETED')")
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.alter_column('total_due_kobo', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_check_constraint('total_due_covers_principal', 'total_due_kobo >= amount_kobo')
        batch_op.create_check_constraint('repaid_within_total_due', 'repaid_kobo <= total_due_kobo')

    _replace_checks(NEW_CHECKS)


def downgrade():
    op.execute("UPDATE payments SET status = 'FAILED' WHERE status = 'ABANDONED'")
    _replace_checks(OLD_CHECKS)
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_loans_repaid_within_total_due'), type_='check')
        batch_op.drop_constraint(op.f('ck_loans_total_due_covers_principal'), type_='check')
        batch_op.drop_column('disbursed_at')
        batch_op.drop_column('total_due_kobo')
        batch_op.drop_column('interest_bp')

    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_expenses_transaction_id_transactions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_expenses_transaction_id'), type_='unique')
        batch_op.drop_column('transaction_id')

    with op.batch_alter_table('loan_instalments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loan_instalments_loan_id'))
        batch_op.drop_index('ix_loan_instalments_due_on')

    op.drop_table('loan_instalments')
