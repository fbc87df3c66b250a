"""Small helpers for the member's pages."""

from decimal import Decimal, InvalidOperation

from django import template

from shixiao.assessment import notes

register = template.Library()


@register.filter
def signed(value) -> str:
    """Points with their sign, as a member reads a line: +20, -5, 0."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = str(value)
    return f"+{text}" if number > 0 else text


@register.filter
def engine_note(note) -> str:
    """A scoring note ("cap 80 applied (earned 100)") in the reader's language."""
    return notes.translate(str(note))
