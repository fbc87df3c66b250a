"""Small template helpers shared by the pages."""

from django import template
from django.utils.text import capfirst

from shixiao.core.choices import COLOURS

register = template.Library()


@register.filter
def role_colour(role: str) -> str:
    """The badge colour of a membership role, the same on every page (core.choices)."""
    return COLOURS.get(role, "grey")


@register.simple_tag
def label(obj, field: str) -> str:
    """A model field's own verbose name, so pages and forms use the same translated words."""
    return capfirst(obj._meta.get_field(field).verbose_name)


@register.filter
def minutes(delta) -> int:
    """Whole minutes of a timedelta, rounded up (the lockout page's cool-off)."""
    if not delta:
        return 0
    return -(-int(delta.total_seconds()) // 60)
