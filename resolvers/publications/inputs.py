"""Inputs and enums of the publications surface: orderings, filters, roles, types."""

from __future__ import annotations

import enum

import strawberry

from gateway.errors import InvalidInput
from gateway.publications.repository import Ordering, PublicationFilter

MAX_CUSTOM_URLS = 100


@strawberry.enum(description="The caller's role on a publication.")
class PublicationRole(enum.Enum):
    OWNER = "OWNER"
    CO_CREATOR = "CO_CREATOR"


@strawberry.enum(description="Kinds of experience a publication offers.")
class ExperienceType(enum.Enum):
    AI_EXPERT = "AI_EXPERT"
    AI_NOTE = "AI_NOTE"
    QUEST = "QUEST"
    PODCAST = "PODCAST"


@strawberry.enum(description="Sort key for publications (ties are broken by id).")
class PublicationOrderField(enum.Enum):
    NAME = "name"
    CUSTOM_URL = "custom_url"
    CREATED_AT = "created_at"


@strawberry.enum(description="Sort key for experiences (ties are broken by id).")
class ExperienceOrderField(enum.Enum):
    CREATED_AT = "created_at"
    TITLE = "title"


@strawberry.input(description="How to sort publications; ties are broken by id.")
class PublicationOrder:
    field: PublicationOrderField = PublicationOrderField.CREATED_AT
    descending: bool = False

    def to_ordering(self) -> Ordering:
        return Ordering(self.field.value, self.descending)


@strawberry.input(description="How to sort experiences; ties are broken by id.")
class ExperienceOrder:
    field: ExperienceOrderField = ExperienceOrderField.CREATED_AT
    descending: bool = False

    def to_ordering(self) -> Ordering:
        return Ordering(self.field.value, self.descending)


DEFAULT_PUBLICATION_ORDER = Ordering("created_at", False)
DEFAULT_EXPERIENCE_ORDER = Ordering("created_at", False)


@strawberry.input(description="Publication filters; all given conditions must hold.")
class PublicationFilterInput:
    custom_urls: list[str] | None = strawberry.field(
        default=None, description=f"Only these custom urls (at most {MAX_CUSTOM_URLS})."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name."
    )
    allow_bookings: bool | None = None
    viewer_roles: list[PublicationRole] | None = strawberry.field(
        default=None,
        description="Only publications where you have one of these roles "
        "(e.g. [OWNER, CO_CREATOR] for your own studios).",
    )

    def to_filter(self) -> PublicationFilter:
        if self.custom_urls is not None and len(self.custom_urls) > MAX_CUSTOM_URLS:
            raise InvalidInput(
                f"filter.customUrls takes at most {MAX_CUSTOM_URLS} urls, "
                f"got {len(self.custom_urls)}.",
                field="filter",
            )
        return PublicationFilter(
            custom_urls=tuple(self.custom_urls) if self.custom_urls is not None else None,
            name_contains=self.name_contains or None,
            allow_bookings=self.allow_bookings,
            viewer_roles=(
                tuple(r.value for r in self.viewer_roles) if self.viewer_roles is not None else None
            ),
        )
