"""`{% load deadlines %}{% deadline_badge colour %}`: one look for a deadline's colour on
every page, with words as well as colour. Pages that use it link deadlines/deadlines.css.
`{% holiday_notice_warning dates… %}`: the shared warning that a year's deadlines count
weekends only, because its holiday notice has not been entered."""

from datetime import date

from django import template
from django.utils import timezone
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


def _years(value, fields: list[str]):
    """Years of a date, or of the `fields` (dotted paths, e.g. next_follow_up.due) of each
    object or dict in an iterable."""
    if value is None or value == "":
        return
    if isinstance(value, date):
        yield value.year
        return
    if isinstance(value, str | bytes):
        return
    for item in value:
        if isinstance(item, date):
            yield item.year
            continue
        for path in fields:
            found = item
            for part in path.split("."):
                found = found.get(part) if isinstance(found, dict) else getattr(
                    found, part, None)
                if found is None:
                    break
            if isinstance(found, date):
                yield found.year


@register.inclusion_tag("deadlines/_no_notice.html", takes_context=True)
def holiday_notice_warning(context, *values, fields: str = ""):
    """Say so on a page whose deadlines or colours fall in a year without a holiday notice.

    `values` are dates, or lists of objects whose `fields` (space-separated, dotted) are
    dates; today's year always counts, since the colours count working days from today.
    `{% holiday_notice_warning proposal.reply_due follow_ups fields="due" %}`"""
    from ..services import years_without_notice

    names = fields.split()
    years = {timezone.localdate().year}
    for value in values:
        years.update(_years(value, names))
    user = getattr(context.get("request"), "user", None)
    return {"missing": years_without_notice(years),
            "can_enter": bool(user and user.has_perm("deadlines.change_deadlinerule"))}
