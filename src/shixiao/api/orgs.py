"""Endpoints for the organisation: committees, sectors, special committees, handling units,
people and memberships.

Every read starts from `visible_to(user)`, so an object outside the caller's scope is a 404
exactly like one that does not exist. The permission is checked first: a role that may not
read memberships at all gets 403 whatever id it asks for. Writes go through
`shixiao.orgs.services`, which check permission and scope again and write the audit record.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shixiao.core.choices import MembershipRole
from shixiao.core.errors import ValidationError
from shixiao.core.services import require_perm
from shixiao.orgs import services
from shixiao.orgs.models import (
    Committee,
    Group,
    HandlingUnit,
    Membership,
    Person,
    Sector,
    SpecialCommittee,
    Term,
)

from .auth import actor
from .errors import api_field_names
from .schemas import (
    CommitteeOut,
    HandlingUnitOut,
    MembershipIn,
    MembershipOut,
    MembershipPatch,
    PersonIn,
    PersonOut,
    SectorOut,
    SpecialCommitteeOut,
)

router = Router()

# Model field → the name the client sent, for validation errors raised by the services.
MEMBERSHIP_FIELDS = {
    "person": "person_id", "committee": "committee_id", "term": "term_id",
    "sector": "sector_id", "special_committees": "special_committee_ids",
    "groups": "group_ids",
}


def _visible(request, model, perm: str):
    user = actor(request)
    require_perm(user, perm)
    return model.objects.visible_to(user)


class CommitteeFilter(Schema):
    committee: int | None = None


# Committees -------------------------------------------------------------------------------

def _committees(request):
    terms = Term.objects.visible_to(actor(request)).order_by("-number")
    return _visible(request, Committee, "orgs.view_committee").prefetch_related(
        Prefetch("terms", queryset=terms, to_attr="visible_terms"))


@router.get("/committees", response=list[CommitteeOut], tags=["committees"])
@paginate(LimitOffsetPagination)
def list_committees(request):
    return _committees(request)


@router.get("/committees/{committee_id}", response=CommitteeOut, tags=["committees"])
def get_committee(request, committee_id: int):
    return get_object_or_404(_committees(request), pk=committee_id)


@router.get("/sectors", response=list[SectorOut], tags=["committees"])
@paginate(LimitOffsetPagination)
def list_sectors(request, filters: Query[CommitteeFilter]):
    sectors = _visible(request, Sector, "orgs.view_sector")
    if filters.committee is not None:
        sectors = sectors.filter(committee_id=filters.committee)
    return sectors


@router.get("/special-committees", response=list[SpecialCommitteeOut], tags=["committees"])
@paginate(LimitOffsetPagination)
def list_special_committees(request, filters: Query[CommitteeFilter]):
    scs = _visible(request, SpecialCommittee, "orgs.view_specialcommittee")
    if filters.committee is not None:
        scs = scs.filter(committee_id=filters.committee)
    return scs


# Handling units ---------------------------------------------------------------------------

@router.get("/handling-units", response=list[HandlingUnitOut], tags=["handling units"])
@paginate(LimitOffsetPagination)
def list_handling_units(request, filters: Query[CommitteeFilter]):
    units = _visible(request, HandlingUnit, "orgs.view_handlingunit")
    if filters.committee is not None:
        units = units.filter(committee_id=filters.committee)
    return units


@router.get("/handling-units/{unit_id}", response=HandlingUnitOut, tags=["handling units"])
def get_handling_unit(request, unit_id: int):
    return get_object_or_404(_visible(request, HandlingUnit, "orgs.view_handlingunit"),
                             pk=unit_id)


# People -----------------------------------------------------------------------------------

@router.post("/people", response={201: PersonOut}, tags=["members"])
def create_person(request, payload: PersonIn):
    fields = payload.dict(exclude_none=True)
    reason = fields.pop("reason", "")
    return Status(201, services.create_person(actor(request), reason=reason, **fields))


@router.get("/people/{person_id}", response=PersonOut, tags=["members"])
def get_person(request, person_id: int):
    return get_object_or_404(_visible(request, Person, "orgs.view_person"), pk=person_id)


# Memberships ------------------------------------------------------------------------------

class MemberFilter(Schema):
    committee: int | None = None
    sector: int | None = None
    special_committee: int | None = None
    role: MembershipRole | None = None
    q: str | None = None


def _memberships(request):
    return _visible(request, Membership, "orgs.view_membership").select_related(
        "person").prefetch_related("special_committees", "groups")


@router.get("/members", response=list[MembershipOut], tags=["members"])
@paginate(LimitOffsetPagination)
def list_members(request, filters: Query[MemberFilter]):
    members = _memberships(request)
    if filters.committee is not None:
        members = members.filter(committee_id=filters.committee)
    if filters.sector is not None:
        members = members.filter(sector_id=filters.sector)
    if filters.special_committee is not None:
        members = members.filter(special_committees=filters.special_committee)
    if filters.role:
        members = members.filter(role=filters.role)
    if filters.q:
        members = members.filter(person__name__icontains=filters.q.strip())
    return members


@router.get("/members/{membership_id}", response=MembershipOut, tags=["members"])
def get_member(request, membership_id: int):
    return get_object_or_404(_memberships(request), pk=membership_id)


def _lookup(user, data: dict) -> dict:
    """Resolve the ids a client sent into objects the caller may see. An id that does not
    exist or lies outside the caller's scope is the same error: no such record."""
    found, errors = {}, {}
    single = [("person", Person), ("committee", Committee), ("term", Term),
              ("sector", Sector)]
    for name, model in single:
        key = f"{name}_id"
        if key not in data:
            continue
        if data[key] is None:
            found[name] = None
            continue
        obj = model.objects.visible_to(user).filter(pk=data[key]).first()
        if obj is None:
            errors[key] = _("No such record, or not one you can use.")
        found[name] = obj
    for name, model in [("special_committees", SpecialCommittee), ("groups", Group)]:
        key = MEMBERSHIP_FIELDS[name]
        if data.get(key) is None:
            continue
        wanted = set(data[key])
        objs = list(model.objects.visible_to(user).filter(pk__in=wanted))
        if len(objs) != len(wanted):
            missing = sorted(wanted - {o.pk for o in objs})
            errors[key] = _("No such records, or not ones you can use: %(ids)s.") % {
                "ids": ", ".join(map(str, missing))}
        found[name] = objs
    if errors:
        raise ValidationError(errors)
    return found


@router.post("/members", response={201: MembershipOut}, tags=["members"])
def create_member(request, payload: MembershipIn):
    user = actor(request)
    require_perm(user, "orgs.add_membership")
    data = payload.dict()
    fields = _lookup(user, data)
    with api_field_names(MEMBERSHIP_FIELDS):
        membership = services.create_membership(
            user, role=data["role"], start=data["start"], end=data["end"],
            number=data["number"], reason=data["reason"], **fields)
    return Status(201, membership)


@router.patch("/members/{membership_id}", response=MembershipOut, tags=["members"])
def update_member(request, membership_id: int, payload: MembershipPatch):
    user = actor(request)
    require_perm(user, "orgs.change_membership")
    membership = get_object_or_404(Membership.objects.visible_to(user), pk=membership_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    reason = data.pop("reason", "")
    fields = _lookup(user, data)
    fields.update({k: v for k, v in data.items() if k in ("role", "start", "end", "number")})
    with api_field_names(MEMBERSHIP_FIELDS):
        # The updated record is returned as is, not read again through the scope: an SC
        # staff member may just have moved it out of their own special committee.
        return services.update_membership(user, membership, expected_version=version,
                                          reason=reason, **fields)
