"""The upload form: one Excel workbook, .xlsx or the older .xls."""

from django import forms
from django.utils.translation import gettext_lazy as _

#: What the file picker offers: both Excel formats, by extension and by media type.
ACCEPT = (".xlsx,.xls,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
          "application/vnd.ms-excel")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx or .xls)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
