"""Template helpers of the Excel pages."""

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """mapping[key] in a template (labels by kind)."""
    return mapping.get(key, key) if hasattr(mapping, "get") else key
