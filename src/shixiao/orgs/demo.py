"""A deterministic demo committee, built only through the production services.

`generate()` creates a provincial committee and one city committee under it with a real
CPPCC shape: a term with five plenary sessions, 31 sectors, 9 special committees, sector
activity groups and district liaison groups, 20 handling units, N members with realistic
roles and placements, a few who left early or joined by by-election, some who also sit on
the provincial committee, and one login for every role. Every record goes through
`orgs.services` / `accounts.services`, so each one has its audit record and the demo
exercises the same validation as real data entry.

Its dates are relative to the day it is built (`DemoCalendar`): the current term contains
that day, so a demo made in any year has a current committee. The same seed and day give
the same committee (names, ID numbers, roles, placements, dates) on any machine, given the
same Faker version; audit timestamps and password salts are the only things that differ.
Another day gives the same shape, shifted.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from faker import Faker
from faker.providers.ssn.zh_CN import Provider as ZhSsnProvider

from shixiao.accounts.models import User
from shixiao.accounts.services import create_user
from shixiao.audit.models import AuditRecord
from shixiao.core.choices import CommitteeLevel, Gender, GroupKind, MembershipRole, UserRole
from shixiao.core.context import request_id_var

from . import services as org
from .models import Committee, Group, HandlingUnit, Membership, Person, Sector, SpecialCommittee
from .validators import id_check_character, region_is_known

CITY_CODE = "demo-city"
PROVINCE_CODE = "demo-province"
CITY = "示范市"
PROVINCE = "示范省"
MIN_MEMBERS = 5
DEFAULT_PASSWORD = "demo"  # every demo login shares it; printed by the command

# ---------------------------------------------------------------------------------------
# Reference data. Sector names and special committees follow the national list
# (research/domain.md §4.1) as cities mirror it. Weights shape the seat split: the CPC and
# the economic sector are the largest, as in real committees.

_SC = [
    "提案委员会", "经济委员会", "农业和农村委员会", "人口资源环境委员会", "教科卫体委员会",
    "社会和法制委员会", "民族和宗教委员会", "港澳台侨和外事委员会", "文化文史和学习委员会",
]
(PROPOSALS, ECONOMY, AGRI, ENV, EDU_SCI, SOCIAL_LAW, ETHNIC_RELIGION, HKMT_FOREIGN,
 CULTURE) = _SC


@dataclass(frozen=True)
class SectorSpec:
    name: str
    weight: int
    affiliation: str  # 政治面貌 of its members; "" = mixed
    pools: tuple[str, ...]  # employer pools, see _EMPLOYERS
    special_committees: tuple[str, ...]  # where its members usually sit
    party_org: str = ""  # the party's city committee, for democratic-party sectors


SECTORS = [
    SectorSpec("中国共产党", 40, "中共党员", ("cpc",), (PROPOSALS, ECONOMY, SOCIAL_LAW)),
    SectorSpec("民革", 10, "民革党员", ("law", "biz", "edu"), (SOCIAL_LAW, HKMT_FOREIGN),
               "民革示范市委会"),
    SectorSpec("民盟", 12, "民盟盟员", ("edu", "culture", "sci"),
               (EDU_SCI, CULTURE), "民盟示范市委会"),
    SectorSpec("民建", 12, "民建会员", ("biz", "law"), (ECONOMY, PROPOSALS),
               "民建示范市委会"),
    SectorSpec("民进", 12, "民进会员", ("edu", "media", "culture"),
               (EDU_SCI, CULTURE), "民进示范市委会"),
    SectorSpec("农工党", 10, "农工党党员", ("med", "env"), (EDU_SCI, ENV),
               "农工党示范市委会"),
    SectorSpec("致公党", 6, "致公党党员", ("biz", "foreign"), (HKMT_FOREIGN, ECONOMY),
               "致公党示范市委会"),
    SectorSpec("九三学社", 10, "九三学社社员", ("sci", "med"), (EDU_SCI, ENV),
               "九三学社示范市委会"),
    SectorSpec("台盟", 3, "台盟盟员", ("taiwan", "edu"), (HKMT_FOREIGN,),
               "台盟示范市支部"),
    SectorSpec("无党派人士", 10, "无党派人士", ("edu", "sci", "law"), (EDU_SCI, SOCIAL_LAW)),
    SectorSpec("共青团", 4, "", ("youth",), (SOCIAL_LAW, EDU_SCI)),
    SectorSpec("总工会", 8, "", ("union", "biz"), (SOCIAL_LAW, ECONOMY)),
    SectorSpec("妇联", 8, "", ("women", "biz"), (SOCIAL_LAW,)),
    SectorSpec("青联", 6, "", ("youth", "biz"), (EDU_SCI, ECONOMY)),
    SectorSpec("工商联", 14, "", ("commerce", "biz"), (ECONOMY, PROPOSALS)),
    SectorSpec("科协", 8, "", ("scitech", "sci"), (EDU_SCI, ENV)),
    SectorSpec("台联", 3, "", ("taiwan",), (HKMT_FOREIGN,)),
    SectorSpec("文化艺术界", 12, "", ("culture",), (CULTURE,)),
    SectorSpec("科学技术界", 12, "", ("sci",), (EDU_SCI, ENV)),
    SectorSpec("社会科学界", 8, "", ("socsci",), (CULTURE, SOCIAL_LAW, PROPOSALS)),
    SectorSpec("经济界", 30, "", ("biz",), (ECONOMY, PROPOSALS)),
    SectorSpec("农业界", 12, "", ("farm",), (AGRI, ENV)),
    SectorSpec("教育界", 14, "", ("edu",), (EDU_SCI,)),
    SectorSpec("体育界", 4, "", ("sport",), (EDU_SCI,)),
    SectorSpec("新闻出版界", 6, "", ("media",), (CULTURE, PROPOSALS)),
    SectorSpec("医药卫生界", 14, "", ("med",), (EDU_SCI, SOCIAL_LAW)),
    SectorSpec("对外友好界", 4, "", ("foreign",), (HKMT_FOREIGN,)),
    SectorSpec("社会福利和社会保障界", 6, "", ("social",), (SOCIAL_LAW,)),
    SectorSpec("少数民族界", 6, "", ("ethnic",), (ETHNIC_RELIGION,)),
    SectorSpec("宗教界", 6, "", ("religion",), (ETHNIC_RELIGION,)),
    SectorSpec("特邀人士", 20, "", ("invited", "biz", "law"), (PROPOSALS, HKMT_FOREIGN)),
]

# Eight activity groups cluster related sectors, as city committees do.
ACTIVITY_GROUPS = [
    ("中共界别活动组", ["中国共产党"]),
    ("民主党派界别第一活动组", ["民革", "民盟", "民建", "民进"]),
    ("民主党派界别第二活动组", ["农工党", "致公党", "九三学社", "台盟", "无党派人士"]),
    ("人民团体界别活动组", ["共青团", "总工会", "妇联", "青联", "工商联", "科协", "台联"]),
    ("经济农业界别活动组", ["经济界", "农业界"]),
    ("科教界别活动组", ["科学技术界", "社会科学界", "教育界", "医药卫生界"]),
    ("文化体育新闻界别活动组", ["文化艺术界", "体育界", "新闻出版界"]),
    ("社会民族宗教特邀界别活动组",
     ["对外友好界", "社会福利和社会保障界", "少数民族界", "宗教界", "特邀人士"]),
]

DISTRICTS = ["东城区", "西城区", "南湖区", "北山区", "滨江区", "高新区"]
_ORDINALS = "一二三四五六七八九十"
LIAISON_GROUPS = [f"第{_ORDINALS[i]}联络组（{d}）" for i, d in enumerate(DISTRICTS)]

HANDLING_UNITS = [
    ("市发展和改革委员会", "FGW"), ("市教育局", "JYJ"), ("市公安局", "GAJ"),
    ("市民政局", "MZJ"), ("市财政局", "CZJ"), ("市人力资源和社会保障局", "RSJ"),
    ("市自然资源和规划局", "ZRZYJ"), ("市生态环境局", "STHJJ"), ("市住房和城乡建设局", "ZJJ"),
    ("市交通运输局", "JTYSJ"), ("市水务局", "SWJ"), ("市农业农村局", "NYNCJ"),
    ("市商务局", "SWUJ"), ("市文化广电旅游局", "WGLJ"), ("市卫生健康委员会", "WJW"),
    ("市市场监督管理局", "SCJGJ"), ("市应急管理局", "YJGLJ"), ("市医疗保障局", "YBJ"),
    ("市城市管理局", "CGJ"), ("市数据局", "SJJ"),
]

CITY_TERM_NUMBER, PROVINCE_TERM_NUMBER = 7, 13
CITY_SESSIONS, PROVINCE_SESSIONS = 5, 5  # plenary sessions per term, one each January


def _friday_from(year: int, day: int) -> dt.date:
    """The first Friday on or after `day` January: plenaries open late in the week."""
    first = dt.date(year, 1, day)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7)


@dataclass(frozen=True)
class DemoCalendar:
    """Every date the demo's shape depends on, derived from the day it is built.

    The assessed year is the last complete one; the current year is in progress up to
    `today`; the city's 7th term runs from January three years before today's year to the
    end of next year, so it contains both (today is in its fourth year, and the fifth is
    still to come). The provincial 13th term started a year later. Plenary sessions open
    each January. Future sessions and the term's end are the committee's calendar, not
    activity: no act, meeting or reply is ever dated after `today`."""

    today: dt.date

    @property
    def assessed_year(self) -> int:
        return self.today.year - 1

    @property
    def current_year(self) -> int:
        return self.today.year

    @property
    def city_term(self) -> tuple[dt.date, dt.date]:
        return dt.date(self.today.year - 3, 1, 1), dt.date(self.today.year + 1, 12, 31)

    @property
    def province_term(self) -> tuple[dt.date, dt.date]:
        return dt.date(self.today.year - 2, 1, 1), dt.date(self.today.year + 2, 12, 31)

    @property
    def city_sessions(self) -> list[tuple[dt.date, dt.date]]:
        first = self.city_term[0].year
        return [(start, start + dt.timedelta(days=3))
                for start in (_friday_from(first + n, 6) for n in range(CITY_SESSIONS))]

    @property
    def province_sessions(self) -> list[tuple[dt.date, dt.date]]:
        first = self.province_term[0].year
        return [(start, start + dt.timedelta(days=4))
                for start in (_friday_from(first + n, 13) for n in range(PROVINCE_SESSIONS))]


def demo_today(today: dt.date | None = None) -> dt.date:
    """The demo's today: the given day, else the real date in the configured time zone."""
    return today if today is not None else timezone.localdate()


LEAVING_REASONS = [
    "工作调动离开本市，本人申请辞去委员职务",
    "因健康原因，本人申请辞去委员职务",
    "因违纪违法，经常委会议决定撤销委员资格",
    "退休后不再适合代表原界别，本人申请辞去委员职务",
    "移居外地，本人申请辞去委员职务",
]

ETHNIC_MINORITIES = ["回族", "满族", "蒙古族", "壮族", "苗族", "土家族", "朝鲜族", "藏族",
                     "彝族", "侗族", "瑶族", "白族"]
DEMOCRATIC_PARTY_AFFILIATIONS = ["民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员",
                                 "致公党党员", "九三学社社员"]

# Employer templates by pool. {company}, {district}, {college}, {dept}, {n}, {village}
# and {brand} are filled per person, so the same seed gives the same text.
_EMPLOYERS = {
    "cpc": ["中共示范市委党校 副校长", "示范市直机关工委 副书记", "中共{district}委 副书记",
            "示范市委统战部 副部长", "示范市委政策研究室 主任", "{company} 党委书记、董事长",
            "示范市人民政府办公室 副主任", "中共{district}委 书记"],
    "law": ["{brand}律师事务所 主任律师", "示范市律师协会 副会长",
            "{brand}会计师事务所 首席合伙人", "示范大学法学院 教授"],
    "biz": ["{company} 董事长", "{company} 总经理", "{company} 董事长兼总经理",
            "{company} 副总裁", "{company} 党委书记、总经理"],
    "edu": ["示范大学{college}学院 教授", "示范大学{college}学院 院长", "示范市第{n}中学 校长",
            "示范职业技术学院 副院长", "{district}实验小学 校长", "示范师范学院 教授"],
    "culture": ["示范市文学艺术界联合会 副主席", "示范市歌舞剧院 院长", "示范市美术家协会 主席",
                "示范市博物馆 馆长", "示范市作家协会 副主席", "示范市图书馆 馆长",
                "示范市书法家协会 副主席"],
    "media": ["示范日报社 副总编辑", "示范市融媒体中心 主任", "示范出版集团 总经理",
              "示范广播电视台 副台长"],
    "sci": ["示范市农业科学院 研究员", "示范大学{college}学院 研究员", "{company} 总工程师",
            "示范市工业技术研究院 副院长", "示范市科技情报研究所 所长"],
    "med": ["示范市第一人民医院 {dept}主任", "示范市中医院 副院长", "示范市妇幼保健院 院长",
            "示范市疾病预防控制中心 主任医师", "{district}人民医院 院长",
            "示范医学院附属医院 {dept}主任医师"],
    "env": ["示范市环境科学研究院 高级工程师", "示范市生态环境监测中心 主任",
            "示范大学环境学院 教授"],
    "foreign": ["示范市人民对外友好协会 副会长", "示范市外事办公室 副主任",
                "示范大学外国语学院 院长", "{company} 总经理"],
    "taiwan": ["示范市台湾同胞联谊会 会长", "示范市台湾同胞投资企业协会 副会长",
               "{company} 董事长"],
    "youth": ["共青团示范市委 副书记", "示范市青年联合会 副主席", "{company} 创始人",
              "示范大学团委 书记"],
    "union": ["示范市总工会 副主席", "{company} 工会主席", "示范市劳动模范协会 会长"],
    "women": ["示范市妇女联合会 副主席", "示范市女企业家协会 会长", "{company} 董事长"],
    "commerce": ["示范市工商业联合会 副主席", "示范市总商会 副会长", "{company} 董事长"],
    "scitech": ["示范市科学技术协会 副主席", "示范市科技馆 馆长", "{company} 首席科学家"],
    "socsci": ["示范市社会科学院 研究员", "示范大学马克思主义学院 教授",
               "示范市地方志研究院 院长", "中共示范市委党校 教授"],
    "farm": ["{district}{village}村 党支部书记", "示范市{village}农民专业合作社 理事长",
             "示范市农业技术推广中心 高级农艺师", "{company} 董事长"],
    "sport": ["示范市体育运动学校 校长", "示范市足球协会 秘书长", "示范市体育中心 主任",
              "{company} 总经理"],
    "social": ["示范市慈善总会 副会长", "示范市社会福利院 院长", "示范市残疾人联合会 副理事长",
               "示范市红十字会 副会长", "{district}社区服务中心 主任"],
    "ethnic": ["示范市民族中学 校长", "示范市民族宗教事务局 副局长", "{district}民族医院 院长",
               "{company} 董事长"],
    "religion": ["示范市佛教协会 会长", "示范市道教协会 副会长", "示范市伊斯兰教协会 会长",
                 "示范市基督教三自爱国运动委员会 主席", "示范市天主教爱国会 副主任"],
    "invited": ["示范市人民检察院 原副检察长", "{company}（香港）有限公司 董事长",
                "示范市归国华侨联合会 副主席", "{company}（澳门）有限公司 总经理",
                "示范市人民政府 原副秘书长"],
}
_COLLEGES = ["经济管理", "机械工程", "计算机科学与技术", "化学化工", "文学", "历史文化",
             "生命科学", "材料科学与工程", "土木工程", "医学", "公共管理", "外国语"]
_DEPTS = ["心血管内科", "普外科", "儿科", "肿瘤科", "神经内科", "骨科", "妇产科", "急诊科"]
_VILLAGES = ["桃园", "柳溪", "石桥", "杏花", "青山", "白沙", "金塘", "永丰", "丰收", "荷塘"]


# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    scope: str


@dataclass
class DemoResult:
    """What `generate` made (or found), for the command to print."""

    committee: Committee
    created: bool
    members: int
    password: str
    password_known: bool
    logins: list[Login] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    calendar: DemoCalendar | None = None  # the dates it was built around (None if found)


@dataclass
class _Draft:
    """One city member, decided before anything is written."""

    index: int
    sector: SectorSpec
    role: str = MembershipRole.MEMBER
    special_committees: list[str] = field(default_factory=list)
    activity_group: str = ""
    liaison_group: str = ""
    start: dt.date = dt.date.min  # set by _plan: the term's start, or a by-election
    end: dt.date | None = None
    end_reason: str = ""
    provincial_role: str | None = None
    person: dict = field(default_factory=dict)


def _apportion(total: int, weights: list[int], minimum: int) -> list[int]:
    """Largest-remainder split of `total` seats by weight, each part at least `minimum`."""
    seats = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    shares = [rest * w / sum(weights) for w in weights]
    seats = [s + int(share) for s, share in zip(seats, shares, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(seats)]:
        seats[i] += 1
    return seats


class _People:
    """Draws people deterministically. Faker's own zh_CN ssn() computes the birth date
    from today's date, so the same seed would give different ID numbers tomorrow; we build
    the ID from Faker's area codes and our own birth date instead, which also makes the ID
    agree with the person's birth date and gender."""

    def __init__(self, seed: int, term_start: dt.date):
        self.term_start = term_start
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not cryptography
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        # Faker's table holds a code or two that never named a county; Person.clean would
        # refuse an ID number built on one.
        county_codes = [c for c in ZhSsnProvider.area_codes
                        if not c.endswith("00") and region_is_known(c)]
        # Most members were born in the committee's own province.
        home = self.rng.choice(sorted({c[:2] for c in county_codes}))
        self.home_codes = [c for c in county_codes if c.startswith(home)]
        self.all_codes = county_codes
        self.names: set[str] = set()
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def _unique(self, seen: set[str], draw) -> str:
        value = draw()
        while value in seen:
            value = draw()
        seen.add(value)
        return value

    def name(self, gender: str) -> str:
        fake = self.fake
        first = fake.first_name_female if gender == Gender.FEMALE else fake.first_name_male
        return self._unique(self.names, lambda: fake.last_name() + first())

    def birth_date(self, lo: int, hi: int) -> dt.date:
        """Born so as to be lo..hi years old when the term began."""
        start = dt.date(self.term_start.year - hi, 1, 1)
        end = dt.date(self.term_start.year - lo, 12, 31)
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def id_number(self, birth: dt.date, gender: str) -> str:
        def draw():
            codes = self.home_codes if self.rng.random() < 0.8 else self.all_codes
            area = self.rng.choice(codes)
            order = self.rng.randint(0, 99)
            sex = self.rng.choice("13579" if gender == Gender.MALE else "02468")
            first17 = f"{area}{birth:%Y%m%d}{order:02d}{sex}"
            return first17 + id_check_character(first17)

        return self._unique(self.ids, draw)

    def phone(self) -> str:
        return self._unique(self.phones, self.fake.phone_number)

    def employer(self, pool: str) -> str:
        template = self.rng.choice(_EMPLOYERS[pool])
        return template.format(
            company=self.fake.company(), district=self.rng.choice(DISTRICTS),
            college=self.rng.choice(_COLLEGES), dept=self.rng.choice(_DEPTS),
            n=self.rng.randint(1, 20), village=self.rng.choice(_VILLAGES),
            brand=self.fake.company_prefix(),
        )


def _plan(members: int, people: _People, calendar: DemoCalendar) -> list[_Draft]:
    """Decide every member's sector, role, placements, dates and personal data.
    Pure: reads only the random streams and the calendar, so a seed and a day always give
    the same plan."""
    rng = people.rng
    term_start = calendar.city_term[0]
    sessions = calendar.city_sessions
    seats = _apportion(members, [s.weight for s in SECTORS],
                       minimum=1 if members >= 2 * len(SECTORS) else 0)
    sectors = [spec for spec, n in zip(SECTORS, seats, strict=True) for _ in range(n)]
    rng.shuffle(sectors)
    drafts = [_Draft(index=i, sector=s, start=term_start) for i, s in enumerate(sectors)]

    # member1..member3 are the logins the README points at: keep them ordinary, current
    # members so what they see is typical. member3 also sits on the provincial committee.
    protected = set(range(3))
    n_chairs = max(1, round(members * 0.02))
    n_standing = max(1, round(members * 0.13))
    n_left = max(1, round(members * 0.02))
    n_joined = max(1, round(members * 0.015))
    n_provincial = max(1, round(members * 0.05))

    # By-elected members come last in the roll: they were added after the others.
    joined = list(range(members - n_joined, members))
    pool = [i for i in range(members) if i not in protected and i not in joined]
    chairs = _chairs_meeting(drafts, pool, n_chairs, rng)
    for i in chairs:
        drafts[i].role = MembershipRole.CHAIRS
    rest = [i for i in pool if i not in chairs]
    for i in rng.sample(rest, min(n_standing, len(rest))):
        drafts[i].role = MembershipRole.STANDING

    ordinary = [i for i in rest if drafts[i].role == MembershipRole.MEMBER]
    left = rng.sample(ordinary, min(n_left, len(ordinary)))
    for i in left:
        d = drafts[i]
        # Left in the term's first two years, so the by-election (at the next plenary)
        # has happened before the assessed year, whatever day the demo is built.
        d.end = dt.date(term_start.year, 6, 1) + dt.timedelta(days=rng.randint(0, 570))
        d.end_reason = rng.choice(LEAVING_REASONS)
    # Each by-election fills a vacancy in the same sector at the next plenary session.
    vacancies = sorted(left, key=lambda i: drafts[i].end)
    for i, vacancy in zip(joined, vacancies + [None] * len(joined), strict=False):
        d = drafts[i]
        if vacancy is None:
            d.start = rng.choice(sessions[1:3])[0]
            continue
        d.sector = drafts[vacancy].sector
        later = [start for start, _ in sessions if start > drafts[vacancy].end]
        d.start = later[0] if later else drafts[vacancy].end + dt.timedelta(days=60)

    # Provincial members are mostly city standing members and chairs, plus member3.
    senior = [i for i in range(members)
              if drafts[i].role != MembershipRole.MEMBER and drafts[i].end is None]
    others = [i for i in range(3, members) if drafts[i].end is None and i not in senior
              and i not in joined]
    provincial = [2] + rng.sample(senior, min(len(senior), (n_provincial - 1) * 2 // 3))
    provincial += rng.sample(others, min(len(others), max(0, n_provincial - len(provincial))))
    for i in provincial:
        drafts[i].provincial_role = (MembershipRole.STANDING if rng.random() < 0.2
                                     else MembershipRole.MEMBER)

    activity_of = {s: name for name, sectors_ in ACTIVITY_GROUPS for s in sectors_}
    for d in drafts:
        d.activity_group = activity_of[d.sector.name]
        d.liaison_group = rng.choice(LIAISON_GROUPS)
        if d.index == 0:  # member1: in sc1's scope
            first = PROPOSALS
        elif rng.random() < 0.6:
            first = rng.choice(d.sector.special_committees)
        else:
            first = rng.choice(_SC)
        if d.index == 1:  # member2: outside sc1's scope
            first = first if first != PROPOSALS else ECONOMY
        scs = [first]
        if d.index > 1 and rng.random() < 0.12:
            second = rng.choice([sc for sc in _SC if sc != first])
            scs.append(second)
        d.special_committees = scs
        d.person = _person(d, people, title=chairs.get(d.index))
    return drafts


def _chairs_meeting(drafts: list[_Draft], pool: list[int], n: int,
                    rng: random.Random) -> dict[int, str]:
    """The chairs' meeting, member index → title. The chair and the secretary-general are
    CPC members; vice chairs come from distinct parties and organisations, about a third of
    them CPC, as in real committees."""
    cpc = [i for i in pool if drafts[i].sector.name == "中国共产党"]
    by_sector: dict[str, list[int]] = {}
    for i in pool:
        if drafts[i].sector.party_org or drafts[i].sector.name == "工商联":
            by_sector.setdefault(drafts[i].sector.name, []).append(i)
    rng.shuffle(cpc)
    names = sorted(by_sector)
    rng.shuffle(names)
    chair = cpc[:1]
    secretary = cpc[1:2] if n > 2 else []
    vices = cpc[2:2 + max(0, n - 2) // 3]
    vices += [rng.choice(by_sector[name]) for name in names][: n - len(chair + secretary + vices)]
    picked = set(chair + secretary + vices)
    spare = [i for i in pool if i not in picked]
    vices += rng.sample(spare, min(len(spare), n - len(picked)))
    if not chair and vices:
        chair = [vices.pop(0)]
    titles = {i: "副主席" for i in vices}
    titles |= {i: "主席" for i in chair} | {i: "秘书长" for i in secretary}
    return titles


def _person(d: _Draft, people: _People, *, title: str | None) -> dict:
    rng = people.rng
    spec = d.sector
    female_share = 0.85 if spec.name == "妇联" else 0.3
    gender = Gender.FEMALE if rng.random() < female_share else Gender.MALE
    young = spec.name in {"共青团", "青联"}
    if title is not None:
        age = (52, 62)
    elif young:
        age = (30, 42)
    else:
        age = (38, 63)
    birth = people.birth_date(*age)

    if spec.affiliation:
        affiliation = spec.affiliation
    else:
        roll = rng.random()
        affiliation = ("中共党员" if roll < 0.45 else
                       rng.choice(DEMOCRATIC_PARTY_AFFILIATIONS) if roll < 0.6 else "群众")

    if spec.name == "少数民族界" or rng.random() < 0.05:
        ethnicity = rng.choice(ETHNIC_MINORITIES)
    else:
        ethnicity = "汉族"

    if title is not None:
        employer = (f"{spec.party_org} 主委、示范市政协 副主席"
                    if title == "副主席" and spec.party_org else f"示范市政协 {title}")
    elif spec.party_org and d.role == MembershipRole.STANDING and rng.random() < 0.4:
        employer = f"{spec.party_org} 副主委"
    else:
        employer = people.employer(rng.choice(spec.pools))

    return {
        "name": people.name(gender),
        "gender": gender,
        "birth_date": birth,
        "ethnicity": ethnicity,
        "party": affiliation,
        "employer": employer,
        "id_number": people.id_number(birth, gender),
        "phone": people.phone(),
    }


@contextmanager
def _request_id(value: str) -> Iterator[None]:
    """Group every audit record of one run under one request id."""
    token = request_id_var.set(value)
    try:
        yield
    finally:
        request_id_var.reset(token)


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def generate(*, members: int = 300, seed: int = 2026, password: str = DEFAULT_PASSWORD,
             stdout=None, fresh: bool = False, today: dt.date | None = None) -> DemoResult:
    """Build the demo committee, or report the one already there.

    Its terms, sessions, memberships and birth dates are placed around `today` (default:
    the real date, see `demo_today`), so the current term contains the day the demo is
    built. `fresh` flushes the whole database first. Without it, an existing demo
    committee is left untouched and only its logins are returned, so running the demo
    twice is safe.
    """
    calendar = DemoCalendar(demo_today(today))
    if calendar.today > demo_today():
        # The workflow services refuse acts dated in the future, and so does the demo.
        raise ValueError(f"--today {calendar.today:%Y-%m-%d} is after today's date "
                         f"({demo_today():%Y-%m-%d}); the demo can only be built as of today "
                         "or an earlier day")
    if members < MIN_MEMBERS:
        raise ValueError(f"the demo needs at least {MIN_MEMBERS} members")
    started = time.monotonic()
    if fresh:
        call_command("flush", interactive=False, verbosity=0)
    existing = Committee.objects.filter(code=CITY_CODE).first()
    if existing is not None:
        _say(stdout, f"The demo committee {existing.short_name or existing.name} already "
                     "exists; nothing generated (use --fresh to rebuild it).")
        return _result(existing, created=False, password=password, started=started)

    taken = sorted(User.objects.filter(username__in=["admin", "office", "sc1", "leader",
                                                     "auditor", "unit1", "member1"])
                   .values_list("username", flat=True))
    if taken:
        raise ValueError(f"users {', '.join(taken)} already exist but the demo committee "
                         "does not; use --fresh on a database you can throw away")

    people = _People(seed, calendar.city_term[0])
    drafts = _plan(members, people, calendar)
    reason = f"演示数据（种子 {seed}）"
    with (_request_id(f"demo-data-{uuid.uuid4().hex}"),
          transaction.atomic()):
        city = _build(drafts, calendar, password=password, reason=reason, stdout=stdout)
    _say(stdout, f"Generated {members} members in {time.monotonic() - started:.1f} s.")
    result = _result(city, created=True, password=password, started=started)
    result.calendar = calendar
    return result


def _build(drafts: list[_Draft], calendar: DemoCalendar, *, password: str, reason: str,
           stdout) -> Committee:
    # PBKDF2 is slow on purpose (about a second per hash at Django's default cost); every
    # demo login shares one known password, so hash it once for the whole run.
    password_hash = make_password(password)
    admin = create_user(None, username="admin", password_hash=password_hash, role=UserRole.OFFICE,
                        is_superuser=True, is_staff=True, first_name="系统管理员",
                        reason=reason)
    province = org.create_committee(
        admin, name="中国人民政治协商会议示范省委员会", short_name="示范省政协",
        code=PROVINCE_CODE, level=CommitteeLevel.PROVINCIAL, region=PROVINCE, reason=reason)
    city = org.create_committee(
        admin, name="中国人民政治协商会议示范市委员会", short_name="示范市政协",
        code=CITY_CODE, level=CommitteeLevel.PREFECTURE, parent=province,
        region=PROVINCE + CITY, reason=reason)

    (city_start, city_end), (province_start, province_end) = (calendar.city_term,
                                                              calendar.province_term)
    city_term = org.create_term(admin, committee=city, number=CITY_TERM_NUMBER,
                                start=city_start, end=city_end, reason=reason)
    for n, (start, end) in enumerate(calendar.city_sessions, 1):
        org.create_session(admin, term=city_term, number=n, start=start, end=end,
                           reason=reason)
    province_term = org.create_term(admin, committee=province, number=PROVINCE_TERM_NUMBER,
                                    start=province_start, end=province_end, reason=reason)
    for n, (start, end) in enumerate(calendar.province_sessions, 1):
        org.create_session(admin, term=province_term, number=n, start=start, end=end,
                           reason=reason)

    def sectors_of(committee):
        return {spec.name: org.create_sector(admin, committee=committee, name=spec.name,
                                             sort_order=n, reason=reason)
                for n, spec in enumerate(SECTORS, 1)}

    def scs_of(committee):
        return {name: org.create_special_committee(admin, committee=committee, name=name,
                                                   reason=reason)
                for name in _SC}

    city_sectors, province_sectors = sectors_of(city), sectors_of(province)
    city_scs, province_scs = scs_of(city), scs_of(province)
    groups = {name: org.create_group(admin, committee=city, name=name,
                                     kind=GroupKind.ACTIVITY, reason=reason)
              for name, _ in ACTIVITY_GROUPS}
    groups |= {name: org.create_group(admin, committee=city, name=name,
                                      kind=GroupKind.LIAISON, reason=reason)
               for name in LIAISON_GROUPS}
    units = [org.create_handling_unit(admin, committee=city, name=name, code=code,
                                      contact_phone=f"0999-8{n:03d}{n * 37 % 1000:03d}",
                                      reason=reason)
             for n, (name, code) in enumerate(HANDLING_UNITS, 1)]

    def staff(username, role, name, **scope):
        create_user(admin, username=username, password_hash=password_hash, role=role,
                    first_name=name, reason=reason, **scope)

    staff("office", UserRole.OFFICE, "委员联络室", committee=city)
    staff("sc1", UserRole.SC_STAFF, "提案委员会办公室", committee=city,
          special_committee=city_scs[PROPOSALS])
    staff("leader", UserRole.LEADER, "秘书长办公室", committee=city)
    staff("auditor", UserRole.AUDITOR, "审计")
    staff("unit1", UserRole.UNIT, units[0].name, committee=city, handling_unit=units[0])

    for d in drafts:
        n = d.index + 1
        user = create_user(admin, username=f"member{n}", password_hash=password_hash,
                           role=UserRole.MEMBER, first_name=d.person["name"], reason=reason)
        person = org.create_person(admin, user=user, reason=reason, **d.person)
        membership = org.create_membership(
            admin, person=person, committee=city, term=city_term, role=d.role,
            sector=city_sectors[d.sector.name], start=d.start, number=f"07{n:04d}",
            special_committees=[city_scs[sc] for sc in d.special_committees],
            groups=[groups[d.activity_group], groups[d.liaison_group]],
            reason=reason if d.start == city_start else f"{reason}：增补委员",
        )
        if d.end is not None:
            org.end_membership(admin, membership, end=d.end, reason=d.end_reason)
        if d.provincial_role is not None:
            org.create_membership(
                admin, person=person, committee=province, term=province_term,
                role=d.provincial_role, sector=province_sectors[d.sector.name],
                start=province_start, number=f"13{n:04d}",
                special_committees=[province_scs[d.special_committees[0]]], reason=reason)
        if n % 500 == 0:
            _say(stdout, f"  {n} / {len(drafts)} members")
    return city


def _result(city: Committee, *, created: bool, password: str, started: float) -> DemoResult:
    members = Person.objects.filter(memberships__committee=city,
                                    user__username__startswith="member").distinct().count()
    sc1 = User.objects.filter(username="sc1").select_related("special_committee").first()
    unit1 = User.objects.filter(username="unit1").select_related("handling_unit").first()
    name = city.short_name or city.name
    logins = [
        Login("admin", "administrator (superuser)", "everything"),
        Login("office", str(UserRole.OFFICE.label), name),
        Login("sc1", str(UserRole.SC_STAFF.label),
              sc1.special_committee.name if sc1 and sc1.special_committee else ""),
        Login("leader", str(UserRole.LEADER.label), name),
        Login("auditor", str(UserRole.AUDITOR.label), "reads everything"),
        Login("unit1", str(UserRole.UNIT.label),
              unit1.handling_unit.name if unit1 and unit1.handling_unit else ""),
    ]
    for n in range(1, min(3, members) + 1):
        person = Person.objects.filter(user__username=f"member{n}").first()
        if person is None:
            continue
        memberships = list(person.memberships.select_related("committee")
                           .prefetch_related("special_committees").order_by("committee__level"))
        scope = "; ".join(
            f"{m.committee.short_name or m.committee.name} {m.get_role_display()}"
            + (f" · {'、'.join(sc.name for sc in m.special_committees.all())}"
               if m.committee_id == city.pk else "")
            for m in memberships)
        logins.append(Login(f"member{n}", f"{UserRole.MEMBER.label} {person.name}", scope))
    counts = {
        "sectors": Sector.objects.filter(committee=city).count(),
        "special committees": SpecialCommittee.objects.filter(committee=city).count(),
        "groups": Group.objects.filter(committee=city).count(),
        "handling units": HandlingUnit.objects.filter(committee=city).count(),
        "members": members,
        "current memberships": Membership.objects.filter(committee=city).current().count(),
        "ended memberships": Membership.objects.filter(committee=city,
                                                       end__isnull=False).count(),
        "also on the provincial committee": Person.objects.filter(
            memberships__committee=city).filter(
            memberships__committee__code=PROVINCE_CODE).distinct().count(),
        "users": User.objects.count(),
        "audit records": AuditRecord.objects.count(),
    }
    return DemoResult(committee=city, created=created, members=members, password=password,
                      password_known=created or _password_works(password),
                      logins=logins, counts=counts, seconds=time.monotonic() - started)


def _password_works(password: str) -> bool:
    """Whether the existing demo logins use this password (one slow hash, so check one)."""
    admin = User.objects.filter(username="admin").first()
    return bool(admin and admin.check_password(password))


def format_summary(result: DemoResult) -> str:
    """The summary and login table the commands print."""
    c = result.committee
    lines = [f"{c.name} ({c.short_name}, code {c.code})"]
    width = max(len(k) for k in result.counts)
    lines += [f"  {k:<{width}}  {v}" for k, v in result.counts.items()]
    lines.append("")
    password = (result.password if result.password_known
                else "the one given when the demo was generated")
    lines.append(f"Demo logins (password: {password}):")
    for login in result.logins:
        lines.append(f"  {login.username:<9} {login.role} — {login.scope}")
    if result.members:
        lines.append(f"  member1 … member{result.members}: one login per member")
    return "\n".join(lines)
