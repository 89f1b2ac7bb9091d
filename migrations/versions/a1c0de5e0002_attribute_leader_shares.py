"""attribute leader shares to the leader in office when the fee was paid

Revision ID: a1c0de5e0002
Revises: a1c0de5e0001
Create Date: 2026-12-01 14:40:00

Before cooperatives registered with their leader, the LEADER share of a fee paid while a cooperative had no
leader was stored with no leader (leader_user_id NULL). This repairs what can honestly be repaired: a row is given
to the leader who was in office at the moment of the fee, as the data shows it — the current leader link (from
its creation), the recorded leader changes, and the first leader's own creation as a LEADER. A row whose fee was
paid when no leader can be shown to have been in office keeps no leader; the super admin's overview counts those
as "unattributed" (nothing is dropped or guessed). The downgrade leaves the rows as they are (it cannot know which
rows it repaired, and each repair is true).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0de5e0002'
down_revision = 'a1c0de5e0001'
branch_labels = None
depends_on = None

allocations = sa.table(
    "allocations",
    sa.column("id", sa.Integer),
    sa.column("recipient", sa.String),
    sa.column("cooperative_id", sa.Integer),
    sa.column("leader_user_id", sa.Integer),
    sa.column("created_at", sa.DateTime),
)
leader_links = sa.table(
    "leader_links",
    sa.column("cooperative_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("created_at", sa.DateTime),
)
audit_logs = sa.table(
    "audit_logs",
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("created_at", sa.DateTime),
)


def _leader_id(values):
    """Return the leader id recorded in an audit row's before/after values, if any."""
    value = (values or {}).get("leader_user_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _created_as_leader(conn, user_id):
    """Return when the user was created with the LEADER role (from the audit), or None."""
    rows = conn.execute(
        sa.select(audit_logs.c.after, audit_logs.c.created_at).where(
            audit_logs.c.action == "user.create",
            audit_logs.c.entity == "user",
            audit_logs.c.entity_id == str(user_id),
        )
    ).all()
    return next((at for after, at in rows if (after or {}).get("role") == "LEADER"), None)


def terms_of_office(conn, cooperative_id):
    """Return [(start, leader_id)] of the cooperative, oldest first, as far as the data shows them."""
    changes = conn.execute(
        sa.select(audit_logs.c.before, audit_logs.c.after, audit_logs.c.created_at)
        .where(
            audit_logs.c.action == "cooperative.leader_changed",
            audit_logs.c.entity == "cooperative",
            audit_logs.c.entity_id == str(cooperative_id),
        )
        .order_by(audit_logs.c.created_at)
    ).all()
    if not changes:
        link = conn.execute(
            sa.select(leader_links.c.user_id, leader_links.c.created_at).where(
                leader_links.c.cooperative_id == cooperative_id
            )
        ).first()
        return [(link.created_at, link.user_id)] if link else []
    terms = []
    first = _leader_id(changes[0].before)
    start = _created_as_leader(conn, first) if first is not None else None
    if start is not None:
        terms.append((start, first))
    terms += [(change.created_at, _leader_id(change.after)) for change in changes]
    return terms


def leader_at(terms, moment):
    """Return the leader in office at a moment (the latest term begun by then), or None."""
    found = None
    for start, leader_id in terms:
        if start <= moment:
            found = leader_id
    return found


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(allocations.c.id, allocations.c.cooperative_id, allocations.c.created_at).where(
            allocations.c.recipient == "LEADER",
            allocations.c.leader_user_id.is_(None),
            allocations.c.cooperative_id.is_not(None),
        )
    ).all()
    terms = {}
    for row in rows:
        if row.cooperative_id not in terms:
            terms[row.cooperative_id] = terms_of_office(conn, row.cooperative_id)
        leader_id = leader_at(terms[row.cooperative_id], row.created_at)
        if leader_id is not None:
            conn.execute(
                sa.update(allocations).where(allocations.c.id == row.id).values(leader_user_id=leader_id)
            )


def downgrade():
    pass
