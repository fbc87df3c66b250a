"""The dashboard stores nothing: it reads what the workflows and the assessment recorded.
This unmanaged model exists only so that its permission has a name (roles.py grants it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    """No table. Carries `dashboard.view_dashboard`, the right to read the leaders'
    dashboard (office, special-committee staff, leaders, auditors)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("leaders' dashboard")
        verbose_name_plural = _("leaders' dashboards")
        permissions = [("view_dashboard", _("Can read the leaders' dashboard"))]

    def __str__(self):
        return str(self._meta.verbose_name)
