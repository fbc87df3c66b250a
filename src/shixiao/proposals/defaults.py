"""A committee's starting code lists: the national grounds for not registering a proposal and
the common A/B/C result grades. Committees edit them afterwards; seeding never overwrites."""

from django.db import transaction

from shixiao.audit import services as audit

from .models import ProposalPolicy, ReasonCode, ResultGrade

#: The ten grounds for 不予立案 in the national FAQ (research/domain.md §1.2). Labels are
#: data a committee may reword, so they are stored in Chinese rather than translated.
NATIONAL_REASON_CODES = [
    ("secrets", "涉及党和国家秘密的"),
    ("prohibited", "属于国家明令禁止的"),
    ("party_personnel", "中共党员对党内人事问题提出意见的"),
    ("party_internal", "民主党派成员对本党派内部事务提出意见的"),
    ("litigation", "涉及民事、刑事、行政诉讼及仲裁纠纷的"),
    ("academic", "属于学术探讨的"),
    ("personal", "属于个人或家庭问题的"),
    ("promotion", "宣传、推介具体作品或产品的"),
    ("accusation", "指名举报的"),
    ("no_suggestion", "内容空泛、没有具体建议的"),
]

#: (code, label, needs_follow_up, counts_as_adopted). A is "adopted" but still verifiable
#: later (add a follow-up review); B promises action, so it is followed up at the policy's
#: horizons; C keeps the proposal for reference and promises nothing to follow.
DEFAULT_GRADES = [
    ("A", "已解决或采纳", False, True),
    ("B", "正在解决或列入计划", True, False),
    ("C", "因条件限制留作参考", False, False),
]


def ensure_defaults(committee, actor=None) -> None:
    """Give `committee` the default reason codes, result grades and policy it lacks."""
    with transaction.atomic():
        if not ReasonCode.objects.filter(committee=committee).exists():
            for order, (code, label) in enumerate(NATIONAL_REASON_CODES, 1):
                obj = ReasonCode.objects.create(committee=committee, code=code, label=label,
                                                order=order)
                audit.record_create(actor, obj, reason="default reason codes")
        if not ResultGrade.objects.filter(committee=committee).exists():
            for order, (code, label, follow, adopted) in enumerate(DEFAULT_GRADES, 1):
                obj = ResultGrade.objects.create(committee=committee, code=code, label=label,
                                                 needs_follow_up=follow,
                                                 counts_as_adopted=adopted, order=order)
                audit.record_create(actor, obj, reason="default result grades")
        if not ProposalPolicy.objects.filter(committee=committee).exists():
            obj = ProposalPolicy.objects.create(committee=committee)
            audit.record_create(actor, obj, reason="default proposal policy")


def policy_for(committee) -> ProposalPolicy:
    """The committee's policy, or the defaults (unsaved) if it has none yet."""
    return (ProposalPolicy.objects.filter(committee=committee).first()
            or ProposalPolicy(committee=committee))
