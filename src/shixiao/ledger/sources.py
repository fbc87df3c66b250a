"""The records ledger entries came from, in words: "提案 2025-0012" with a link to it,
rather than the stored `proposals.proposal` and primary key."""

from django.urls import reverse

from . import labels


def source_texts(user, entries) -> dict[tuple[str, str], tuple[str, str]]:
    """(text, url) of the proposals and reports the entries came from, as the user sees
    them: "提案 2025-0012" with a link, or the kind of record alone if it is out of sight."""
    from shixiao.proposals.models import Proposal
    from shixiao.reports.models import OpinionReport

    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.source_id.isdigit():
            wanted.setdefault(e.source_type, set()).add(int(e.source_id))
    found = {}
    for model, name in ((Proposal, "proposals:detail"), (OpinionReport, "reports:detail")):
        source_type = model._meta.label_lower
        pks = wanted.get(source_type)
        if not pks:
            continue
        kind = labels.source_label(source_type)
        for record in model.objects.visible_to(user).filter(pk__in=pks):
            mark = getattr(record, "display_number", "") or record.title
            found[(source_type, str(record.pk))] = (f"{kind} {mark}",
                                                    reverse(name, args=[record.pk]))
    return found
