"""`{% load deadlines %}{% deadline_badge colour %}`: one look for a deadline's colour on
every page, with words as well as colour. Pages that use it link deadlines/deadlines.css."""

from django import template
from django.utils.html import format_html

from ..engine import Colour
from ..labels import COLOUR_LABELS

register = template.Library()


@register.simple_tag
def deadline_badge(colour, due=None):
    """A badge for an engine.Colour (or its string value); with `due`, the date in it too."""
    colour = Colour(colour or Colour.NONE)
    label = COLOUR_LABELS[colour]
    if due is not None:
        return format_html('<span class="badge deadline-{}">{} · {}</span>',
                           colour.value, label, due.isoformat())
    return format_html('<span class="badge deadline-{}">{}</span>', colour.value, label)
