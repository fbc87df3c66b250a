"""Users with one role and the scope that role works in, and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shixiao.core.choices import UserRole
from shixiao.core.models import RestrictedQuerySet


class UserQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        if user.role == UserRole.OFFICE and user.committee_id:
            return self.filter(committee_id=user.committee_id) | self.filter(pk=user.pk)
        return self.filter(pk=user.pk)


class ShixiaoUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A login. The role says what kind of work the user does; committee, special committee
    and handling unit say where. Members are linked to their Person (Person.user)."""

    role = models.CharField(_("role"), max_length=16, choices=UserRole.choices,
                            default=UserRole.MEMBER)
    committee = models.ForeignKey(
        "orgs.Committee", verbose_name=_("committee"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    special_committee = models.ForeignKey(
        "orgs.SpecialCommittee", verbose_name=_("special committee"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff",
    )
    handling_unit = models.ForeignKey(
        "orgs.HandlingUnit", verbose_name=_("handling unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )

    objects = ShixiaoUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def sees_everything(self) -> bool:
        """Auditors read every record (and change none: their role grants no write)."""
        return self.role == UserRole.AUDITOR

    def clean(self):
        super().clean()
        # Staff of a special committee or a unit work in that body's committee.
        if self.special_committee_id and not self.committee_id:
            self.committee_id = self.special_committee.committee_id
        if self.handling_unit_id and not self.committee_id:
            self.committee_id = self.handling_unit.committee_id
        if self.is_superuser:
            return
        needs = {
            UserRole.OFFICE: "committee", UserRole.LEADER: "committee",
            UserRole.SC_STAFF: "special_committee", UserRole.UNIT: "handling_unit",
        }
        field = needs.get(self.role)
        if field and not getattr(self, f"{field}_id"):
            raise ValidationError({field: _("This role needs this field.")})


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    description = models.CharField(_("description"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return "sx_" + secrets.token_urlsafe(32)
