"""Masking of personal data (ID numbers, phone numbers) for users without the permission.
Pure functions: used by templates, the API and exports alike."""


def mask_middle(value: str | None, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str | None) -> str:
    """Resident ID: keep the region code (6) and the last 4, hide the birth date."""
    return mask_middle(value, 6, 4)


def mask_phone(value: str | None) -> str:
    """Mobile number: the usual 138****5678 form."""
    return mask_middle(value, 3, 4)
