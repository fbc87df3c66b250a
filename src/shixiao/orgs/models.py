"""Committees, their terms and sessions, sectors, special committees, groups, people,
memberships and handling units. Every table is keyed by committee (DESIGN.md §8)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shixiao.core.choices import CommitteeLevel, Gender, GroupKind, MembershipRole, UserRole
from shixiao.core.masking import mask_id_number, mask_phone
from shixiao.core.models import BaseModel, RestrictedQuerySet

from .validators import normalise_id_number, validate_credit_code, validate_id_number


def _staff_committee_ids(user) -> list[int]:
    return [user.committee_id] if user.committee_id else []


def _member_committee_ids(user) -> list[int]:
    return list(
        Membership.objects.filter(person__user=user).values_list("committee_id", flat=True)
    )


def committee_ids_for(user) -> list[int]:
    """Committees a non-auditor user works in: staff by assignment, members by membership."""
    if user.role == UserRole.MEMBER:
        return _member_committee_ids(user)
    return _staff_committee_ids(user)


class CommitteeQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        return self.filter(pk__in=committee_ids_for(user))


class Committee(BaseModel):
    """A CPPCC committee at one level, linked to the committee one level up."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=CommitteeLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent committee"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    region = models.CharField(_("region"), max_length=100, blank=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        order = list(CommitteeLevel.values)
        if self.parent_id and self.parent:
            if order.index(self.parent.level) >= order.index(self.level):
                raise ValidationError(
                    {"parent": _("The parent committee must be at a higher level.")}
                )


class CommitteeScopedQuerySet(RestrictedQuerySet):
    """For committee-wide reference data (sectors, special committees, groups, terms):
    visible to anyone who works in the committee."""

    def _scope(self, user):
        return self.filter(committee_id__in=committee_ids_for(user))


class Term(BaseModel):
    """A term (届) of a committee, usually five years."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="terms",
                                  verbose_name=_("committee"))
    number = models.PositiveSmallIntegerField(_("term number"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["committee", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="term_unique_number"),
        ]

    def __str__(self):
        return _("Term %(number)s") % {"number": self.number}

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The term cannot end before it starts.")})


class Session(BaseModel):
    """A plenary session (次会议) within a term."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sessions",
                             verbose_name=_("term"))
    number = models.PositiveSmallIntegerField(_("session number"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("plenary session")
        verbose_name_plural = _("plenary sessions")
        ordering = ["term", "number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="session_unique_number"),
        ]

    def __str__(self):
        return _("Session %(number)s") % {"number": self.number}

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The session cannot end before it starts.")})


class Sector(BaseModel):
    """A sector (界别) of the committee."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="sectors",
                                  verbose_name=_("committee"))
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["committee", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="sector_unique_name"),
        ]

    def __str__(self):
        return self.name


class SpecialCommittee(BaseModel):
    """A special committee (专门委员会) of the committee."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE,
                                  related_name="special_committees", verbose_name=_("committee"))
    name = models.CharField(_("name"), max_length=60)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("special committee")
        verbose_name_plural = _("special committees")
        ordering = ["committee", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="sc_unique_name"),
        ]

    def __str__(self):
        return self.name


class Group(BaseModel):
    """A sector activity group or a liaison group of members."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="groups",
                                  verbose_name=_("committee"))
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["committee", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="group_unique_name"),
        ]

    def __str__(self):
        return self.name


class HandlingUnitQuerySet(CommitteeScopedQuerySet):
    def _scope(self, user):
        if user.role == UserRole.UNIT:
            return self.filter(pk=user.handling_unit_id) if user.handling_unit_id else self.none()
        return super()._scope(user)


class HandlingUnit(BaseModel):
    """A unit (承办单位) that handles proposals assigned by one committee."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE,
                                  related_name="handling_units", verbose_name=_("committee"))
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True,
        help_text=_("18 characters; checked when given."))

    objects = HandlingUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["committee", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="unit_unique_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = (self.credit_code or "").replace(" ", "").upper()
        if self.credit_code:
            try:
                validate_credit_code(self.credit_code)
            except ValidationError as exc:
                raise ValidationError({"credit_code": exc}) from None


class PersonQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        visible = self.filter(
            pk__in=Membership.objects.visible_to(user).values("person_id")
        ) | self.filter(user=user)
        if user.role == UserRole.OFFICE and user.committee_id:
            # The office also sees people it registered who hold no membership yet, or it
            # could never give them their first one.
            visible = visible | self.filter(registered_by_id=user.committee_id)
        return visible


class Person(BaseModel):
    """A natural person. One person can be a member of several committees."""

    PERSONAL_FIELDS = ("id_number", "phone")

    name = models.CharField(_("name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    party = models.CharField(_("party affiliation"), max_length=40, blank=True)
    employer = models.CharField(_("employer and position"), max_length=200, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="person",
    )
    registered_by = models.ForeignKey(
        Committee, verbose_name=_("registered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="registered_people",
        help_text=_("The committee whose office entered this person."),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        permissions = [("view_personal_data", _("Can see unmasked personal data"))]

    def __str__(self):
        return self.name

    def clean(self):
        import re

        errors = {}
        self.id_number = normalise_id_number(self.id_number)
        if self.id_number:
            try:
                validate_id_number(self.id_number, birth_date=self.birth_date,
                                   gender=self.gender)
            except ValidationError as exc:
                errors["id_number"] = exc
        if self.phone and not re.fullmatch(r"\+?[\d-]{7,20}", self.phone):
            errors["phone"] = _("Enter a phone number of digits, optionally with + and -.")
        if errors:
            raise ValidationError(errors)

    def masked(self, field: str, viewer) -> str:
        """The field's value as `viewer` may see it."""
        value = getattr(self, field)
        if can_see_personal_data(viewer, self):
            return value
        return {"id_number": mask_id_number, "phone": mask_phone}[field](value)


def can_see_personal_data(viewer, person: "Person") -> bool:
    """A person sees their own data; others need the explicit permission."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if person.user_id is not None and person.user_id == viewer.pk:
        return True
    return viewer.has_perm("orgs.view_personal_data")


class MembershipQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        if user.role == UserRole.MEMBER:
            return self.filter(person__user=user)
        if user.role == UserRole.SC_STAFF:
            if not user.special_committee_id:
                return self.none()
            return self.filter(special_committees=user.special_committee_id)
        if user.role in (UserRole.OFFICE, UserRole.LEADER):
            return self.filter(committee_id__in=_staff_committee_ids(user))
        # Handling units see no members (they get their assignments in later modules).
        return self.none()

    def current(self, on=None):
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


class Membership(BaseModel):
    """A person's seat in one committee for one term, with role, sector and placements."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships",
                               verbose_name=_("person"))
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT,
                                  related_name="memberships", verbose_name=_("committee"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("term"))
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices,
                            default=MembershipRole.MEMBER)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="memberships",
                               verbose_name=_("sector"))
    special_committees = models.ManyToManyField(
        SpecialCommittee, blank=True, related_name="memberships",
        verbose_name=_("special committees"),
    )
    groups = models.ManyToManyField(Group, blank=True, related_name="memberships",
                                    verbose_name=_("groups"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    number = models.CharField(_("member number"), max_length=20, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["committee", "person__name", "id"]
        indexes = [models.Index(fields=["committee", "term"])]

    def __str__(self):
        return f"{self.person} · {self.committee}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("A membership cannot end before it starts.")
        if self.term_id and self.committee_id and self.term.committee_id != self.committee_id:
            errors["term"] = _("The term belongs to another committee.")
        if self.sector_id and self.committee_id and self.sector.committee_id != self.committee_id:
            errors["sector"] = _("The sector belongs to another committee.")
        if errors:
            raise ValidationError(errors)
        if self.person_id and self.committee_id and self.term_id and self.start:
            overlapping = Membership.objects.filter(
                person_id=self.person_id, committee_id=self.committee_id, term_id=self.term_id,
            ).exclude(pk=self.pk).filter(Q(end__isnull=True) | Q(end__gte=self.start))
            if self.end:
                overlapping = overlapping.filter(start__lte=self.end)
            if overlapping.exists():
                raise ValidationError({"start": _(
                    "This person already holds a membership of this committee and term "
                    "that overlaps these dates."
                )})

    def validate_placements(self, special_committees, groups):
        """Special committees and groups must belong to the membership's committee."""
        errors = {}
        if any(sc.committee_id != self.committee_id for sc in special_committees):
            errors["special_committees"] = _("A special committee belongs to another committee.")
        if any(g.committee_id != self.committee_id for g in groups):
            errors["groups"] = _("A group belongs to another committee.")
        if errors:
            raise ValidationError(errors)
