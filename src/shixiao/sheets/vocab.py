"""The Chinese words spreadsheets use for coded values, with the usual variants people type.

These are a file format, not page text: a template's drop-down lists and an import accept
the same words whatever language the pages are shown in, and the exports write them. The
codes are the ledger's and the models' own (ledger.kinds, core.choices)."""

from shixiao.assessment.entries import LEVELS
from shixiao.ledger.kinds import ATTENDANCE_STATES, MEETINGS

GENDERS = [("M", "男"), ("F", "女")]
GENDER_ALIASES = {"男性": "M", "女性": "F"}

ROLES = [("member", "委员"), ("standing", "常委"), ("chairs", "主席会议成员")]
ROLE_ALIASES = {"常务委员": "standing", "政协委员": "member"}

MEETING_LABELS = {
    "plenary": "全体会议",
    "plenary_group": "全体会议分组讨论",
    "standing": "常委会议",
    "chairs": "主席会议",
    "consultation": "协商会",
    "committee": "专委会会议",
    "sector": "界别活动",
    "group": "小组活动",
    "other": "其他会议",
}
MEETING_ALIASES = {"全会": "plenary", "大会": "plenary", "全体委员会议": "plenary",
                   "分组讨论": "plenary_group", "小组讨论": "plenary_group",
                   "常委会": "standing", "主席会": "chairs", "协商会议": "consultation",
                   "专委会": "committee", "专委会活动": "committee", "界别": "sector",
                   "联络组活动": "group", "活动组活动": "group", "其他": "other"}

STATE_LABELS = {
    "attended": "出席",
    "leave": "请假",
    "unexcused": "缺席",
    "late": "迟到",
    "left_early": "早退",
    "partial": "部分出席",
}
STATE_ALIASES = {"到会": "attended", "已到": "attended", "签到": "attended", "√": "attended",
                 "✓": "attended", "无故缺席": "unexcused", "未到": "unexcused",
                 "未请假缺席": "unexcused", "病假": "leave", "事假": "leave", "公假": "leave"}

LEVEL_LABELS = {"national": "国家级", "provincial": "省级", "prefecture": "市级",
                "county": "县级"}
LEVEL_ALIASES = {"全国": "national", "国家": "national", "全国级": "national",
                 "省": "provincial", "省部级": "provincial", "市": "prefecture",
                 "地市级": "prefecture", "地级": "prefecture", "县": "county",
                 "区级": "county", "县区级": "county", "县(区)级": "county"}

CATEGORIES = [("plenary", "大会提案"), ("between_sessions", "平时提案")]
CATEGORY_ALIASES = {"大会": "plenary", "会议提案": "plenary", "平时": "between_sessions",
                    "闭会期间提案": "between_sessions"}

assert set(MEETING_LABELS) == set(MEETINGS), "every ledger meeting needs a Chinese label"
assert set(STATE_LABELS) == set(ATTENDANCE_STATES), "every attendance state needs a label"
assert set(LEVEL_LABELS) == set(LEVELS), "every level needs a label"


def options(labels: dict[str, str]) -> list[tuple[str, str]]:
    return list(labels.items())
