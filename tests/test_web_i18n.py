"""The Chinese catalogue covers every string, is compiled, and uses the glossary's words."""

import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

import shixiao
from shixiao.core.choices import CommitteeLevel, MembershipRole, UserRole
from shixiao.orgs.models import HandlingUnit, Membership, Sector, SpecialCommittee

LC = Path(shixiao.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _unquote(lines: list[str]) -> str:
    return "".join(re.fullmatch(r'\s*"(.*)"\s*', line).group(1) for line in lines)


def po_entries(path: Path):
    """(flags, msgid, [msgstr...]) for every active entry of a .po file, header excluded."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        if any(line.startswith("#~") for line in lines):
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, list[str]] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key].append(line)
            else:
                key, rest = line.split(" ", 1)
                fields[key] = [rest]
        msgid = _unquote(fields["msgid"])
        if not msgid:
            continue
        strs = [_unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
        entries.append((flags, msgid, strs))
    return entries


def test_every_string_has_a_chinese_translation():
    entries = po_entries(LC / "django.po")
    assert len(entries) > 200
    assert [m for flags, m, _ in entries if "fuzzy" in flags] == []
    assert [m for _, m, strs in entries if not all(strs)] == []


def test_compiled_catalogue_matches_the_source():
    with open(LC / "django.mo", "rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    # A message with a context is stored as "context\x04msgid".
    ids = {(key if isinstance(key, str) else key[0]).split("\x04")[-1] for key in catalog}
    missing = [m for _, m, _ in po_entries(LC / "django.po") if m not in ids]
    assert missing == [], "run compilemessages"


@pytest.mark.parametrize("value, expected", [
    (lambda: MembershipRole.MEMBER.label, "委员"),
    (lambda: MembershipRole.STANDING.label, "常委"),
    (lambda: UserRole.UNIT.label, "承办单位"),
    (lambda: CommitteeLevel.PROVINCIAL.label, "省级"),
    (lambda: Sector._meta.verbose_name, "界别"),
    (lambda: SpecialCommittee._meta.verbose_name, "专门委员会"),
    (lambda: HandlingUnit._meta.verbose_name, "承办单位"),
    (lambda: Membership._meta.get_field("end").verbose_name, "结束日期"),
])
def test_glossary_terms_are_used(value, expected):
    with translation.override("zh-hans"):
        assert str(value()) == expected


def test_service_messages_are_translated():
    from shixiao.core.errors import ConflictError
    from shixiao.core.services import check_version

    class Record:
        version = 3

    with translation.override("zh-hans"), pytest.raises(ConflictError) as exc:
        check_version(Record(), 2)
    assert "他人已修改此记录" in str(exc.value)
