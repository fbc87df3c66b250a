"""Forms of the deadline pages. They parse input only; the rules about what is a valid
deadline live in services.set_rule / add_holiday, whose errors are put back on the form."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DeadlineRule, Holiday

RULE_FIELDS = ["label", "amount", "unit", "extension_amount", "extension_unit",
               "remind_before", "warn_before"]


class RuleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(DeadlineRule, fields=RULE_FIELDS)
        # Zero and negative numbers reach the service, whose messages say what is wrong.
        for name in ("amount", "extension_amount", "remind_before", "warn_before"):
            fields[name] = forms.IntegerField(label=fields[name].label,
                                              required=name != "extension_amount")
        fields["extension_unit"].required = False
        fields["remind_before"].help_text = _("Blue from this many working days before.")
        fields["warn_before"].help_text = _("Yellow from this many working days before.")
        fields["label"].help_text = _("Leave empty to use the standard name.")
        self.fields.update(fields)
        self.order_fields(RULE_FIELDS + ["version"])

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in RULE_FIELDS} | {"version": data.get("version")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class HolidayForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Holiday, fields=["date", "kind", "name"]))
        self.fields["date"].widget = DateInput()


def initial_for(spec, row) -> dict:
    """The form's starting values: the committee's row if it has one, else the default."""
    ext = spec.extension
    return {
        "label": row.label if row else "",
        "amount": spec.period.amount, "unit": spec.period.unit,
        "extension_amount": ext.amount if ext else None,
        "extension_unit": ext.unit if ext else "",
        "remind_before": spec.remind_before, "warn_before": spec.warn_before,
        "version": row.version if row else 0,
    }


_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_LINE = re.compile(
    rf"^(?P<name>.+?)\s+(?P<first>{_DATE})(?:\s*(?:至|到|–|—|~|-)\s*(?P<last>{_DATE}))?$")


def _parse_lines(text: str, *, ranges: bool) -> list[tuple]:
    """Lines of "name date" (or "name first – last" for ranges of days off), as a notice
    lists them; a line that is not one raises a ValidationError naming its number."""
    items, problems = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None or (match["last"] and not ranges):
            example = "春节 2027-02-06 至 2027-02-13" if ranges else "春节 2027-02-14"
            problems.append(_("Line %(number)s: “%(line)s” is not a name and a date, "
                              "e.g. %(example)s.")
                            % {"number": number, "line": line, "example": example})
            continue
        try:
            first = date.fromisoformat(_zero_padded(match["first"]))
            last = date.fromisoformat(_zero_padded(match["last"] or match["first"]))
        except ValueError:
            problems.append(_("Line %(number)s: “%(line)s” holds a date that does not "
                              "exist.") % {"number": number, "line": line})
            continue
        name = match["name"].strip()
        items.append((name, first, last) if ranges else (name, first))
    if problems:
        raise forms.ValidationError(problems)
    return items


def _zero_padded(text: str) -> str:
    y, m, d = text.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


class YearNoticeForm(forms.Form):
    """A year's holiday notice as the notice reads: one line per holiday (a single day or a
    range) and one line per make-up working day. Used for the national calendar and, without
    the notice field, for a committee's local dates."""

    year = forms.IntegerField(label=_("Year"))
    notice = forms.CharField(
        label=_("Notice"), max_length=200,
        help_text=_("Its title and number, e.g. 国务院办公厅关于2027年部分节假日安排的通知"
                    "（国办发明电〔2026〕X号）."))
    holidays = forms.CharField(
        label=_("Days off"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One holiday per line: its name and its first and last day off, e.g. "
                    "春节 2027-02-06 至 2027-02-13, or a single date."))
    workdays = forms.CharField(
        label=_("Working days"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: the holiday it bridges and the date worked, e.g. "
                    "春节 2027-02-14."))
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the dates are entered or changed; kept in the audit record."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, national: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not national:
            del self.fields["notice"]
            del self.fields["version"]
            self.fields["workdays"].help_text = _(
                "One per line: a name and a date the office works although the national "
                "calendar has it off, e.g. 春节值班 2027-02-08.")

    def clean_holidays(self):
        return _parse_lines(self.cleaned_data.get("holidays"), ranges=True)

    def clean_workdays(self):
        return _parse_lines(self.cleaned_data.get("workdays"), ranges=False)

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


def notice_initial(year: int, days, notice: str = "", version: int | None = None) -> dict:
    """The form's text for `days` [(date, kind, name)], consecutive days off of one name
    folded into a range, as the notice writes them."""
    holidays: list[list] = []
    workdays = []
    for d, kind, name in sorted(days):
        if kind == "workday":
            workdays.append(f"{name} {d.isoformat()}")
        elif holidays and holidays[-1][0] == name and (d - holidays[-1][2]).days == 1:
            holidays[-1][2] = d
        else:
            holidays.append([name, d, d])
    lines = [f"{n} {a.isoformat()}" if a == b else f"{n} {a.isoformat()} 至 {b.isoformat()}"
             for n, a, b in holidays]
    return {"year": year, "notice": notice, "holidays": "\n".join(lines),
            "workdays": "\n".join(workdays), "version": version}
