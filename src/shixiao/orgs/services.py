"""Use cases that change the organisation: one transactional, audited function each.
Views, the API, importers and the demo generator all call these."""

from django.db import transaction
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.errors import ValidationError
from shixiao.core.services import check_version, require_in_scope, require_perm

from .models import (
    Committee,
    Group,
    HandlingUnit,
    Membership,
    Person,
    Sector,
    Session,
    SpecialCommittee,
    Term,
)


def _create(actor, model, perm: str, reason: str = "", **fields):
    require_perm(actor, perm)
    with transaction.atomic():
        obj = model(**fields)
        obj.full_clean()
        obj.save()
        audit.record_create(actor, obj, reason)
    return obj


def create_committee(actor, *, reason: str = "", **fields) -> Committee:
    """Only superusers (the deployment's administrators) create committees."""
    if actor is not None and not actor.is_superuser:
        raise ValidationError(_("Only an administrator can create a committee."))
    with transaction.atomic():
        obj = Committee(**fields)
        obj.full_clean()
        obj.save()
        audit.record_create(actor, obj, reason)
    return obj


def create_term(actor, **fields) -> Term:
    return _create(actor, Term, "orgs.add_term", **fields)


def create_session(actor, **fields) -> Session:
    return _create(actor, Session, "orgs.add_session", **fields)


def create_sector(actor, **fields) -> Sector:
    return _create(actor, Sector, "orgs.add_sector", **fields)


def create_special_committee(actor, **fields) -> SpecialCommittee:
    return _create(actor, SpecialCommittee, "orgs.add_specialcommittee", **fields)


def create_group(actor, **fields) -> Group:
    return _create(actor, Group, "orgs.add_group", **fields)


def create_handling_unit(actor, **fields) -> HandlingUnit:
    return _create(actor, HandlingUnit, "orgs.add_handlingunit", **fields)


def create_person(actor, *, reason: str = "", **fields) -> Person:
    if "registered_by" not in fields and getattr(actor, "committee_id", None):
        fields["registered_by_id"] = actor.committee_id
    return _create(actor, Person, "orgs.add_person", reason=reason, **fields)


def update_person(actor, person: Person, *, expected_version: int | None = None,
                  reason: str = "", **fields) -> Person:
    require_perm(actor, "orgs.change_person")
    require_in_scope(actor, person)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        check_version(locked, expected_version)
        before = audit.snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.version += 1
        locked.save()
        audit.record_update(actor, locked, before, reason)
    return locked


def _lock_person(person_id: int) -> None:
    """Serialise membership writes for one person so two concurrent requests cannot both
    pass the overlap check."""
    Person.objects.select_for_update().filter(pk=person_id).first()


def create_membership(actor, *, special_committees=(), groups=(), reason: str = "",
                      **fields) -> Membership:
    require_perm(actor, "orgs.add_membership")
    committee = fields.get("committee")
    if committee is not None and not Committee.objects.visible_to(actor).filter(
            pk=committee.pk).exists() and not actor.is_superuser:
        raise ValidationError({"committee": _("You cannot add members to this committee.")})
    with transaction.atomic():
        if fields.get("person") is not None:
            _lock_person(fields["person"].pk)
        membership = Membership(**fields)
        membership.full_clean()
        membership.validate_placements(special_committees, groups)
        membership.save()
        membership.special_committees.set(special_committees)
        membership.groups.set(groups)
        audit.record_create(actor, membership, reason)
    return membership


def update_membership(actor, membership: Membership, *, expected_version: int | None = None,
                      special_committees=None, groups=None, reason: str = "",
                      **fields) -> Membership:
    require_perm(actor, "orgs.change_membership")
    require_in_scope(actor, membership)
    if "committee" in fields or "person" in fields:
        raise ValidationError(_("A membership cannot move to another person or committee; "
                                "end it and create a new one."))
    with transaction.atomic():
        _lock_person(membership.person_id)
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        check_version(locked, expected_version)
        before = audit.snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        scs = list(locked.special_committees.all()) if special_committees is None \
            else list(special_committees)
        grs = list(locked.groups.all()) if groups is None else list(groups)
        locked.validate_placements(scs, grs)
        locked.version += 1
        locked.save()
        locked.special_committees.set(scs)
        locked.groups.set(grs)
        audit.record_update(actor, locked, before, reason)
    return locked


def end_membership(actor, membership: Membership, *, end, reason: str,
                   expected_version: int | None = None) -> Membership:
    """Members leave mid-term (resignation, removal); the record stays, with an end date."""
    if not reason:
        raise ValidationError({"reason": _("Say why the membership ends.")})
    return update_membership(actor, membership, end=end, reason=reason,
                             expected_version=expected_version)


def _enrolment_errors(person_fields: dict, membership_fields: dict, special_committees,
                      groups) -> dict:
    """Every problem with a new person and their first membership, checked together, so the
    form shows all of them at once instead of the membership's only after the person's."""
    errors: dict = {}
    checks = (
        lambda: Person(**person_fields).full_clean(),
        # No person yet: a new person cannot overlap any seat, so only the rest is checked.
        lambda: Membership(**membership_fields).full_clean(exclude=["person"]),
        lambda: Membership(**membership_fields).validate_placements(
            list(special_committees), list(groups)),
    )
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    return errors


def enrol_member(actor, *, person_fields: dict, membership_fields: dict, special_committees=(),
                 groups=(), reason: str = "") -> Membership:
    """Register a new person and give them their first membership: both or neither.

    Runs create_person and create_membership in one transaction, so a membership the
    services refuse (overlap, another committee's sector, no access to the committee)
    leaves no person behind without a seat, and no audit record of one."""
    require_perm(actor, "orgs.add_person")
    require_perm(actor, "orgs.add_membership")
    errors = _enrolment_errors(person_fields, membership_fields, special_committees, groups)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person = create_person(actor, reason=reason, **person_fields)
        return create_membership(actor, person=person, special_committees=special_committees,
                                 groups=groups, reason=reason, **membership_fields)
