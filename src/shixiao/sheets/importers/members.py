"""Members (委员名单): a person and their seat per row, through orgs.services.enrol_member,
or create_membership when the ID number is of a person the office already registered."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shixiao.orgs import services as org
from shixiao.orgs.models import Group, Membership, Person, Sector, SpecialCommittee

from .. import vocab
from ..cells import Choice, Date, IdNumber, Phone, Text, TextList
from ..lookup import clean_name
from .base import Column, Context, Importer, Row, at_row

PERSON_KEYS = ("name", "gender", "id_number", "phone", "ethnicity", "party", "employer")
#: Model fields whose errors belong on another column of the sheet.
FIELD_COLUMNS = {"term": "start", "end": "start", "committee": "", "person": "",
                 "__all__": "", "special_committees": "special_committees",
                 "groups": "groups"}


class MembersImporter(Importer):
    kind = "members"
    label = gettext_lazy("Members")
    sheet = "委员名单"
    perms = ("orgs.add_person", "orgs.add_membership")
    intro = gettext_lazy(
        "One row per member: the person and their seat in this committee. A person whose ID "
        "number the office has already registered gets a new seat; everyone else is "
        "registered as a new person.")
    columns = (
        Column("name", "姓名", Text(60), required=True, note=gettext_lazy("Full name.")),
        Column("gender", "性别", Choice(vocab.GENDERS, vocab.GENDER_ALIASES)),
        Column("id_number", "身份证号", IdNumber(), note=gettext_lazy(
            "18 characters. Format the column as text so Excel does not round it. Needed "
            "to add a seat for someone already registered, or a second person of the same "
            "name.")),
        Column("phone", "手机号", Phone(), note=gettext_lazy("Digits, optionally + and -.")),
        Column("ethnicity", "民族", Text(20)),
        Column("party", "党派", Text(40)),
        Column("employer", "工作单位及职务", Text(200)),
        Column("sector", "界别", Text(60), required=True,
               note=gettext_lazy("One of the committee's sectors, as named in the system.")),
        Column("role", "角色", Choice(vocab.ROLES, vocab.ROLE_ALIASES), default="member",
               note=gettext_lazy("委员 (member) if left empty.")),
        Column("special_committees", "专委会", TextList(), note=gettext_lazy(
            "Special committees, separated by 、 or commas.")),
        Column("groups", "所在小组", TextList(), note=gettext_lazy(
            "Sector activity or liaison groups, separated by 、 or commas.")),
        Column("start", "开始日期", Date(), required=True, note=gettext_lazy(
            "When the seat starts, e.g. 2022-01-01; it decides the term.")),
        Column("number", "委员编号", Text(20), note=gettext_lazy(
            "The committee's own member number, if it uses them.")),
    )

    def choice_lists(self, committee):
        lists = super().choice_lists(committee)
        lists["界别"] = list(Sector.objects.filter(committee=committee)
                             .values_list("name", flat=True))
        return lists

    def allowed_values(self, committee):
        allowed = self.choice_lists(committee)
        allowed["专委会"] = list(SpecialCommittee.objects.filter(committee=committee)
                                .values_list("name", flat=True))
        allowed["所在小组"] = list(Group.objects.filter(committee=committee)
                                 .values_list("name", flat=True))
        return allowed

    # Checks --------------------------------------------------------------------------------

    def check(self, ctx: Context, rows: list[Row]) -> None:
        c = ctx.committee
        sectors = {s.name: s for s in Sector.objects.filter(committee=c)}
        scs = {s.name: s for s in SpecialCommittee.objects.filter(committee=c)}
        groups = {g.name: g for g in Group.objects.filter(committee=c)}
        people = {p.id_number: p for p in Person.objects.visible_to(ctx.actor).filter(
            id_number__in=[r.get("id_number") for r in rows if r.get("id_number")])}
        named = {clean_name(m.person.name) for m in Membership.objects.visible_to(ctx.actor)
                 .filter(committee=c).select_related("person")}
        for row in rows:
            self._check_row(ctx, row, sectors, scs, groups, people, named)
        self.duplicates(rows, "id_number", lambda r: r.get("id_number") or None,
                        _("The same ID number as row %(row)s."))
        self.duplicates(rows, "name", lambda r: None if r.get("id_number") or not r.ok("name")
                        else clean_name(r.get("name")),
                        _("The same name as row %(row)s; add ID numbers to tell them apart."))

    def _placements(self, row: Row, key: str, known: dict) -> list:
        found = []
        for name in row.get(key) or []:
            if name in known:
                found.append(known[name])
            else:
                row.error(key, _("“%(name)s” is not one of: %(known)s.")
                          % {"name": name, "known": "、".join(known) or "—"})
        return found

    def _check_row(self, ctx, row, sectors, scs, groups, people, named) -> None:
        sector = sectors.get(row.get("sector")) if row.ok("sector") else None
        if row.ok("sector") and sector is None:
            row.error("sector", _("No sector “%(name)s” in this committee; known: %(known)s.")
                      % {"name": row.get("sector"), "known": "、".join(sectors) or "—"})
        placed_scs = self._placements(row, "special_committees", scs)
        placed_groups = self._placements(row, "groups", groups)
        self.not_future(ctx, row, "start")
        term = ctx.term_on(row.get("start")) if row.ok("start") else None
        if row.ok("start") and term is None:
            row.error("start", _("No term of this committee covers %(date)s; the term must "
                                 "be set up first.") % {"date": row.get("start")})
        person = people.get(row.get("id_number")) if row.get("id_number") else None
        if person is not None and clean_name(person.name) != clean_name(row.get("name") or ""):
            row.error("id_number", _("This ID number belongs to %(name)s, registered already.")
                      % {"name": person.name})
        if person is None and not row.get("id_number") and row.ok("name") \
                and clean_name(row.get("name")) in named:
            row.error("name", _("A member named “%(name)s” is already registered. Give the "
                                "ID number to add a seat for them or to register another "
                                "person of that name.") % {"name": row.get("name")})
        if person is None:
            self._collect(row, lambda: Person(**self._person_fields(row)).full_clean())
        if sector is None or term is None:
            return
        membership = Membership(person=person, **self._membership_fields(ctx, row, term,
                                                                         sector))
        exclude = [] if person is not None else ["person"]
        self._collect(row, lambda: membership.full_clean(exclude=exclude))
        self._collect(row, lambda: membership.validate_placements(placed_scs, placed_groups))
        if not row.errors:
            row.resolved = {
                "person": person.pk if person else None, "term": term.pk, "sector": sector.pk,
                "special_committees": [s.pk for s in placed_scs],
                "groups": [g.pk for g in placed_groups]}

    def _collect(self, row: Row, check) -> None:
        """A model's own validation, its errors put on the sheet's columns (a cell that
        already failed to parse keeps its own, clearer message)."""
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                key = FIELD_COLUMNS.get(field, field)
                key = key if key in {c.key for c in self.columns} else ""
                if key and key in row.errors:
                    continue
                for message in messages:
                    row.error(key, message)

    @staticmethod
    def _person_fields(row: Row) -> dict:
        return {key: row.get(key) or "" for key in PERSON_KEYS}

    @staticmethod
    def _membership_fields(ctx, row: Row, term, sector) -> dict:
        return {"committee": ctx.committee, "term": term, "sector": sector,
                "role": row.get("role") or "member", "start": row.get("start"),
                "number": row.get("number") or ""}

    # Commit --------------------------------------------------------------------------------

    def commit(self, ctx: Context, rows: list[Row]) -> dict:
        c = ctx.committee
        sectors = {s.pk: s for s in Sector.objects.filter(committee=c)}
        scs = {s.pk: s for s in SpecialCommittee.objects.filter(committee=c)}
        groups = {g.pk: g for g in Group.objects.filter(committee=c)}
        terms = {t.pk: t for t in ctx.terms}
        memberships, people = [], []
        for row in rows:
            r = row.resolved
            fields = self._membership_fields(ctx, row, terms[r["term"]], sectors[r["sector"]])
            placements = {"special_committees": [scs[pk] for pk in r["special_committees"]],
                          "groups": [groups[pk] for pk in r["groups"]]}
            if r["person"]:
                person = Person.objects.get(pk=r["person"])
                m = at_row(row, lambda p=person, f=fields, pl=placements: org.create_membership(
                    ctx.actor, person=p, reason=ctx.reason, **pl, **f))
            else:
                m = at_row(row, lambda f=fields, pl=placements, row=row: org.enrol_member(
                    ctx.actor, person_fields=self._person_fields(row), membership_fields=f,
                    reason=ctx.reason, **pl))
                people.append(m.person_id)
            memberships.append(m.pk)
        return {"created": {"people": people, "memberships": memberships},
                "counts": {"people": len(people), "memberships": len(memberships)}}
