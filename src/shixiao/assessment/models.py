"""Stored rubric versions and scores. The engine modules beside this file stay free of
Django; this is where their results are kept per member, period and rubric version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shixiao.core.models import RestrictedQuerySet
from shixiao.orgs.models import Committee, CommitteeScopedQuerySet, Membership


class RubricVersion(models.Model):
    """One exact rubric text a committee scored with; identified by its SHA-256 so a result
    always names the rules that produced it, even after the file is edited."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT,
                                  related_name="rubric_versions", verbose_name=_("committee"))
    rubric_id = models.CharField(_("rubric"), max_length=100)
    label = models.CharField(_("label"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    period_from = models.DateField(_("period from"), null=True, blank=True)
    period_to = models.DateField(_("period to"), null=True, blank=True)
    text = models.TextField(_("rubric text"))
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rubric version")
        verbose_name_plural = _("rubric versions")
        constraints = [models.UniqueConstraint(fields=["committee", "sha256"],
                                               name="rubric_version_unique_text")]

    def __str__(self):
        return gettext("%(label)s, version %(number)s") % {
            "label": self.display_label, "number": self.version}

    @property
    def display_label(self) -> str:
        """The rubric's label in the reader's language (the stored `label` keeps one
        wording); the rubric id when it has none."""
        from shixiao.assessment import display
        from shixiao.assessment.rubric import RubricInvalid, load

        try:
            own = load(self.text).label
        except RubricInvalid:
            own = self.label
        return display.label(own or self.label, self.rubric_id)


class ScoreRun(models.Model):
    """One scoring of a committee's members under one rubric version as of one date."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT,
                                  related_name="score_runs", verbose_name=_("committee"))
    rubric = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="runs",
                               verbose_name=_("rubric version"))
    year = models.PositiveSmallIntegerField(_("year"))
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    as_of = models.DateField(_("as of"))
    members = models.PositiveIntegerField(_("members scored"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["committee", "year", "as_of"])]

    def __str__(self):
        return gettext("%(committee)s %(year)s, as of %(date)s") % {
            "committee": self.committee, "year": self.year, "date": self.as_of}


class MemberScoreQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        return self.filter(membership__in=Membership.objects.visible_to(user))


class MemberScore(models.Model):
    """A member's total, grade and full explanation (engine MemberResult.to_dict())."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores",
                            verbose_name=_("scoring run"))
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT,
                                   related_name="scores", verbose_name=_("membership"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=4)
    grade = models.CharField(_("grade"), max_length=50, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict)

    objects = MemberScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("member score")
        verbose_name_plural = _("member scores")
        constraints = [models.UniqueConstraint(fields=["run", "membership"],
                                               name="member_score_unique")]

    def __str__(self):
        return f"{self.membership_id}: {self.total} {self.grade}"
