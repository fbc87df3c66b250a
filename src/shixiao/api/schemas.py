"""Request and response shapes. Personal data leaves the server only through
`Person.masked`, so a schema cannot show an ID number to someone who may not see it."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Schema

from shixiao.core.choices import CommitteeLevel, Gender, MembershipRole, UserRole


def _viewer(context):
    return context["request"].auth


class MeOut(Schema):
    username: str
    role: UserRole
    committee_id: int | None
    special_committee_id: int | None
    handling_unit_id: int | None
    permissions: list[str]

    @staticmethod
    def resolve_permissions(obj) -> list[str]:
        return sorted(obj.get_all_permissions())


class TermOut(Schema):
    id: int
    number: int
    start: dt.date
    end: dt.date | None


class CommitteeOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    level: CommitteeLevel
    parent_id: int | None
    region: str
    current_term: TermOut | None = Field(
        None, description="The term in force today; between terms, the most recent one."
    )

    @staticmethod
    def resolve_current_term(obj):
        # `visible_terms` is prefetched by the endpoint, newest first.
        today = timezone.localdate()
        terms = getattr(obj, "visible_terms", [])
        for term in terms:
            if term.start <= today and (term.end is None or term.end >= today):
                return term
        started = [t for t in terms if t.start <= today]
        return started[0] if started else None


class SectorOut(Schema):
    id: int
    committee_id: int
    name: str
    sort_order: int


class SpecialCommitteeOut(Schema):
    id: int
    committee_id: int
    name: str


class HandlingUnitOut(Schema):
    id: int
    committee_id: int
    name: str
    code: str
    contact_phone: str
    credit_code: str = Field(description="统一社会信用代码 (GB 32100), empty if not recorded.")


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    ethnicity: str
    party: str
    employer: str
    id_number: str = Field(description="Masked unless you may see personal data.")
    phone: str = Field(description="Masked unless you may see personal data.")
    version: int

    @staticmethod
    def resolve_id_number(obj, context) -> str:
        return obj.masked("id_number", _viewer(context))

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return obj.masked("phone", _viewer(context))


class PersonIn(Schema):
    name: str
    gender: Gender | None = None
    birth_date: dt.date | None = None
    ethnicity: str = ""
    party: str = ""
    employer: str = ""
    id_number: str = ""
    phone: str = ""
    reason: str = ""


class MembershipOut(Schema):
    id: int
    person: PersonOut
    committee_id: int
    term_id: int
    role: MembershipRole
    sector_id: int
    special_committee_ids: list[int]
    group_ids: list[int]
    start: dt.date
    end: dt.date | None
    number: str
    version: int

    @staticmethod
    def resolve_special_committee_ids(obj) -> list[int]:
        return sorted(sc.pk for sc in obj.special_committees.all())

    @staticmethod
    def resolve_group_ids(obj) -> list[int]:
        return sorted(g.pk for g in obj.groups.all())


class MembershipIn(Schema):
    person_id: int
    committee_id: int
    term_id: int
    role: MembershipRole = MembershipRole.MEMBER
    sector_id: int
    special_committee_ids: list[int] = []
    group_ids: list[int] = []
    start: dt.date
    end: dt.date | None = None
    number: str = ""
    reason: str = ""


class MembershipPatch(Schema):
    """Only the fields sent change. `version` is the one you read; a newer one means someone
    else changed the membership meanwhile, and the answer is 409."""

    version: int
    role: MembershipRole | None = None
    sector_id: int | None = None
    special_committee_ids: list[int] | None = None
    group_ids: list[int] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    number: str | None = None
    reason: str = ""
