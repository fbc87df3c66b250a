"""The publishing form: which run, why, and an explicit confirmation that the result will
be frozen."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    run = forms.TypedChoiceField(label=_("Scoring run"), coerce=int)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when a new version replaces a published one: say why."))
    confirm = forms.BooleanField(
        label=_("I understand that the published result is frozen: it cannot be changed, "
                "only replaced by a new version."))

    def __init__(self, *args, runs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = [(run.pk, label) for run, label in runs]
