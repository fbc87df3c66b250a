"""The dashboard's selectors: committee (for users who see several), year and as-of date."""

from django import forms
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 1949, 2200  # the CPPCC's first session; anything later is a typo


class DashboardFilter(forms.Form):
    committee = forms.CharField(label=_("Committee"), required=False, max_length=40)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR,
                              max_value=LAST_YEAR)
    as_of = forms.DateField(label=_("As of"), required=False, input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("Default: today."))
