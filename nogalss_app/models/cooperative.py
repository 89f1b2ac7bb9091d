"""Parent organizations, cooperatives and the one leader of each cooperative."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class ParentOrganization(db.Model):
    __tablename__ = "parent_organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Unique when set; organizations created before it was asked for have none until an admin adds it.
    registration_number: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Cooperative(db.Model):
    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Also the "cooperative code" members type to join.
    registration_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    state: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    bank_name: Mapped[str | None] = mapped_column(sa.String(100))
    bank_account_number: Mapped[str | None] = mapped_column(sa.String(20))
    bank_account_name: Mapped[str | None] = mapped_column(sa.String(200))
    parent_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("parent_organizations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent_organization = relationship("ParentOrganization")
    leader_link = relationship("LeaderLink", uselist=False, back_populates="cooperative")


class LeaderLink(db.Model):
    """Who leads a cooperative: one leader per cooperative, one cooperative per leader."""

    __tablename__ = "leader_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id"), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cooperative = relationship("Cooperative", back_populates="leader_link")
    user = relationship("User")
