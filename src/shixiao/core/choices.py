"""Choice sets with a label and a colour each, so a badge looks the same on every page."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteeLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    PREFECTURE = "prefecture", _("Prefecture / city")
    COUNTY = "county", _("County / district")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    STANDING = "standing", _("Standing member")
    CHAIRS = "chairs", _("Chairs' meeting member")


class UserRole(models.TextChoices):
    OFFICE = "office", _("Office staff")
    SC_STAFF = "sc_staff", _("Special-committee staff")
    MEMBER = "member", _("Member")
    LEADER = "leader", _("Leader")
    UNIT = "unit", _("Handling unit")
    AUDITOR = "auditor", _("Auditor")


class GroupKind(models.TextChoices):
    ACTIVITY = "activity", _("Sector activity group")
    LIAISON = "liaison", _("Liaison group")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


COLOURS = {
    MembershipRole.MEMBER: "grey",
    MembershipRole.STANDING: "blue",
    MembershipRole.CHAIRS: "purple",
}
