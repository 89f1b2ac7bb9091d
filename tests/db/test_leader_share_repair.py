"""The leader-share repair migration names the leader in office at each fee, and leaves the rest unattributed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BEFORE_REPAIR = "a1c0de5e0001"
T0 = datetime(2026, 1, 1, 9, 0)


def upgrade(url: str, revision: str = "heads") -> None:
    """Run `flask db upgrade <revision>` against a database URL in a child process, as an operator would."""
    env = {**os.environ, "NOGALSS_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "migration-test"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", revision],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def at(hours: int) -> datetime:
    """Return a moment some hours after the start of the story (naive UTC, as stored)."""
    return T0 + timedelta(hours=hours)


class World:
    """Insert the rows of an older database directly (the models may have moved on since)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.tables = sa.MetaData()
        self.tables.reflect(conn)
        self.n = 0

    def add(self, table: str, **values) -> int:
        """Insert one row and return its id."""
        result = self.conn.execute(sa.insert(self.tables.tables[table]).values(**values))
        return result.inserted_primary_key[0]

    def user(self, role: str, coop_id: int, when: datetime) -> int:
        """Add a user (and its creation audit row, as accounts.create_user writes it)."""
        self.n += 1
        user_id = self.add(
            "users",
            email=f"u{self.n}@example.test",
            password_hash="x",
            first_name="U",
            last_name=str(self.n),
            role=role,
            is_active=True,
            is_verified=True,
            cooperative_id=coop_id,
            session_version=1,
            created_at=when,
            updated_at=when,
        )
        after = {"email": f"u{self.n}@example.test", "role": role, "cooperative_id": coop_id}
        self.add(
            "audit_logs", action="user.create", entity="user", entity_id=str(user_id), after=after, created_at=when
        )
        return user_id

    def fee(self, coop_id: int, when: datetime, leader_id: int | None = None) -> int:
        """Add a fee line with its LEADER and COOPERATIVE shares; return the LEADER row's id."""
        self.n += 1
        tx = self.add(
            "transactions",
            reference=f"FEE-{self.n}",
            type="FEE",
            category="MEMBER_REGISTRATION",
            status="SUCCESSFUL",
            amount_kobo=5_000_00,
            is_debit=False,
            cooperative_id=coop_id,
            description="Member registration fee",
            created_at=when,
            updated_at=when,
        )
        common = {"transaction_id": tx, "fee_kobo": 5_000_00, "cooperative_id": coop_id, "created_at": when}
        self.add("allocations", recipient="COOPERATIVE", bp=2000, amount_kobo=1_000_00, **common)
        return self.add(
            "allocations", recipient="LEADER", bp=1500, amount_kobo=750_00, leader_user_id=leader_id, **common
        )


def test_each_leader_share_goes_to_the_leader_in_office_then_and_the_rest_stays_unattributed(tmp_path):
    url = f"sqlite:///{tmp_path / 'repair.sqlite3'}"
    upgrade(url, BEFORE_REPAIR)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        w = World(conn)
        org = w.add("parent_organizations", name="Guild", is_active=True, created_at=at(0))
        coop = {"parent_organization_id": org, "is_active": True, "created_at": at(0)}
        plain = w.add("cooperatives", name="A", registration_number="A-1", **coop)
        changed = w.add("cooperatives", name="B", registration_number="B-1", **coop)
        # A: its fee was paid before its leader existed; the leader was linked 2 hours later.
        a_leader = w.user("LEADER", plain, at(2))
        w.add("leader_links", cooperative_id=plain, user_id=a_leader, created_at=at(2))
        a_before, a_after = w.fee(plain, at(1)), w.fee(plain, at(3))
        # B: first leader created as LEADER at 10, replaced by a member at 20 (the recorded change).
        first, second = w.user("LEADER", changed, at(10)), w.user("MEMBER", changed, at(5))
        w.add("leader_links", cooperative_id=changed, user_id=second, created_at=at(20))
        w.add(
            "audit_logs",
            action="cooperative.leader_changed",
            entity="cooperative",
            entity_id=str(changed),
            before={"leader_user_id": first},
            after={"leader_user_id": second},
            created_at=at(20),
        )
        b_early, b_first, b_second = w.fee(changed, at(6)), w.fee(changed, at(15)), w.fee(changed, at(25))
        b_named = w.fee(changed, at(16), leader_id=second)  # already named: kept as it is
    upgrade(url)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(sa.text("SELECT id, leader_user_id FROM allocations WHERE recipient = 'LEADER'")).all()
        )
        others = conn.execute(
            sa.text("SELECT count(*) FROM allocations WHERE recipient != 'LEADER' AND leader_user_id IS NOT NULL")
        ).scalar()
    engine.dispose()
    assert rows == {
        a_before: None,  # nobody led A yet: unattributed, not guessed
        a_after: a_leader,
        b_early: None,  # before B's first leader existed
        b_first: first,
        b_second: second,
        b_named: second,
    }
    assert others == 0
