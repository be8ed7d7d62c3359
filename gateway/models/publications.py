"""AISquare: publications (AI Studios), co-creators, experiences, follows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, created_at, id_pk, org_fk, org_id_pk

EXPERIENCE_TYPES = ("AI_EXPERT", "AI_NOTE", "QUEST", "PODCAST")


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("org_id", "custom_url"), org_fk(["owner_id"], "users"))
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    custom_url: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    allow_bookings: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at: Mapped[datetime] = created_at()


class PublicationCoCreator(Base):
    __tablename__ = "publication_cocreators"
    __table_args__ = (org_fk(["publication_id"], "publications"), org_fk(["user_id"], "users"))
    org_id: Mapped[int] = org_id_pk()
    publication_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class Experience(Base):
    __tablename__ = "experiences"
    __table_args__ = (org_fk(["publication_id"], "publications"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    publication_id: Mapped[int] = mapped_column(BigInteger, index=True)
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class Follow(Base):
    """A user follows a publication. A publication's `following_count` is the number of
    publications its owner follows."""

    __tablename__ = "follows"
    __table_args__ = (org_fk(["publication_id"], "publications"), org_fk(["user_id"], "users"))
    org_id: Mapped[int] = org_id_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    publication_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
