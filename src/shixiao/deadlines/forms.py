"""Forms of the deadline pages. They parse input only; the rules about what is a valid
deadline live in services.set_rule / add_holiday, whose errors are put back on the form."""

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
