"""Excel imports: every kind's template downloads and round-trips; a file with bad rows
imports nothing and the preview says which row and column and why; the corrected file
imports everything as one audited change; a batch cannot be committed twice or by anyone
outside its committee."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from shixiao.audit.models import AuditRecord
from shixiao.ledger.models import Entry
from shixiao.orgs import services as org
from shixiao.orgs.models import Membership, Person
from shixiao.proposals.models import Proposal
from shixiao.reports.models import OpinionReport
from shixiao.sheets.importers import IMPORTERS
from shixiao.sheets.models import ImportBatch


@pytest.fixture(autouse=True)
def english_pages(settings):
    """These tests match the English source of the import messages; the Chinese catalogue
    is checked on its own (test_web_i18n). Pages follow LANGUAGE_CODE when a request names
    no language."""
    settings.LANGUAGE_CODE = "en"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Helpers (the other sheet tests import these) -----------------------------------------------

def template(client, kind: str) -> bytes:
    response = client.get(f"/sheets/templates/{kind}.xlsx")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return response.content


def fill(data: bytes, kind: str, rows: list[dict]) -> bytes:
    """The template with `rows` ({header: value}) typed in under its headers."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[IMPORTERS[kind].sheet]
    headers = [cell.value for cell in ws[1]]
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, unknown
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, kind: str, data: bytes, name: str = "表.xlsx"):
    return client.post(f"/sheets/import/{kind}/",
                       {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def preview(client, kind: str, rows: list[dict], name: str = "表.xlsx") -> ImportBatch:
    response = upload(client, kind, fill(template(client, kind), kind, rows), name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def commit(client, batch: ImportBatch):
    return client.post(f"/sheets/batches/{batch.pk}/commit/")


def batch_audits(batch: ImportBatch):
    return AuditRecord.objects.filter(object_type="sheets.importbatch",
                                      object_id=str(batch.pk), after__state="committed")


SIGN_IN = {"会议类型": "全体会议", "会议日期": dt.date(2024, 3, 5), "会议半天数": 4}


def sign_in(name, state="出席", **extra) -> dict:
    return {**SIGN_IN, "姓名": name, "出席情况": state, **extra}


# Templates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_each_template_has_headers_notes_and_drop_down_lists(world, as_user, kind):
    importer = IMPORTERS[kind]
    wb = load_workbook(io.BytesIO(template(as_user(world.office), kind)))
    assert wb.sheetnames[:2] == [importer.sheet, "填写说明"]
    ws = wb[importer.sheet]
    assert [c.value for c in ws[1]] == importer.headers
    assert ws.freeze_panes == "A2"
    notes = "\n".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    for header in importer.headers:
        assert header in notes
    choice_columns = importer.choice_lists(world.committee)
    if choice_columns:
        assert ws.data_validations.dataValidation, "choice columns get drop-down lists"


def test_members_template_lists_the_committees_own_sectors(world, as_user):
    wb = load_workbook(io.BytesIO(template(as_user(world.office), "members")))
    values = {c.value for row in wb["选项"].iter_rows() for c in row}
    assert {"经济界", "教育界", "常委", "女"} <= values
    notes = {c.value for row in wb["填写说明"].iter_rows() for c in row}
    assert any("提案委员会" in str(v) for v in notes)


# Round trips --------------------------------------------------------------------------------

def _assert_committed(client, batch, name):
    response = commit(client, batch)
    assert response.status_code == 302, response.content.decode()[:3000]
    batch.refresh_from_db()
    assert batch.state == "committed"
    audits = list(batch_audits(batch))
    assert len(audits) == 1
    after = audits[0].after
    assert after["file_name"] == name and after["sha256"] == batch.sha256
    assert after["kind"] == batch.kind and after["rows"] == len(batch.rows)
    assert audits[0].reason == f"Imported from {name}" or name in audits[0].reason
    return after


def test_members_round_trip(world, as_user):
    client = as_user(world.office)
    rows = [
        {"姓名": "赵六", "性别": "女", "身份证号": "110101199003071241", "手机号": "13900001111",
         "界别": "教育界", "角色": "常委", "专委会": "提案委员会、经济委员会",
         "所在小组": "第一联络组", "开始日期": dt.date(2023, 1, 1), "委员编号": "A-07"},
        {"姓名": "钱七", "界别": "经济界", "开始日期": "2023/2/1"},
    ]
    batch = preview(client, "members", rows, "新委员.xlsx")
    assert batch.errors == []
    page = client.get(f"/sheets/batches/{batch.pk}/").content.decode()
    assert 'id="preview"' in page and 'id="commit"' in page and "row-error" not in page
    assert not Person.objects.filter(name="赵六").exists(), "nothing is written at preview"
    after = _assert_committed(client, batch, "新委员.xlsx")
    zhao = Membership.objects.get(person__name="赵六")
    assert zhao.role == "standing" and zhao.sector == world.sector2 and zhao.number == "A-07"
    assert zhao.term == world.term and zhao.start == dt.date(2023, 1, 1)
    assert {sc.name for sc in zhao.special_committees.all()} == {"提案委员会", "经济委员会"}
    assert zhao.person.gender == "F" and zhao.person.id_number == "110101199003071241"
    assert zhao.person.registered_by == world.committee
    qian = Membership.objects.get(person__name="钱七")
    assert qian.start == dt.date(2023, 2, 1) and qian.role == "member"
    assert sorted(after["created"]["memberships"]) == sorted([zhao.pk, qian.pk])


def test_member_with_a_known_id_number_gets_a_new_seat_not_a_second_person(world, as_user):
    client = as_user(world.office)
    org.end_membership(world.admin, world.membership1, end=dt.date(2022, 12, 31),
                       reason="换届")
    batch = preview(client, "members", [{"姓名": "张三", "身份证号": "110101199003091234",
                                         "界别": "经济界", "开始日期": dt.date(2023, 1, 1)}])
    assert batch.errors == []
    _assert_committed(client, batch, "表.xlsx")
    assert Person.objects.filter(name="张三").count() == 1
    assert world.person1.memberships.count() == 2


ZHAO = {"姓名": "赵六", "性别": "女", "身份证号": "110101199003071241",
        "手机号": "13900001111", "界别": "教育界", "开始日期": dt.date(2023, 1, 1)}


def _stored_text(batch: ImportBatch) -> str:
    batch.refresh_from_db()
    return json.dumps(batch.rows, ensure_ascii=False)


def test_an_imported_or_discarded_batch_keeps_no_full_id_or_phone_number(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "members", [ZHAO], "新委员.xlsx")
    assert "110101199003071241" in _stored_text(batch), "the commit needs the full number"
    _assert_committed(client, batch, "新委员.xlsx")
    stored = _stored_text(batch)
    assert "110101199003071241" not in stored and "13900001111" not in stored
    assert "110101********1241" in stored and "139****1111" in stored
    assert Person.objects.get(name="赵六").id_number == "110101199003071241"
    second = preview(client, "members", [ZHAO | {"姓名": "孙八"}], "又一份.xlsx")
    assert client.post(f"/sheets/batches/{second.pk}/discard/").status_code == 302
    assert "110101199003071241" not in _stored_text(second)


def test_a_forgotten_preview_is_discarded_after_a_week(world, as_user):
    from django.utils import timezone

    from shixiao.sheets.services import PREVIEW_DAYS

    client = as_user(world.office)
    old = preview(client, "members", [ZHAO], "忘了.xlsx")
    recent = preview(client, "members", [ZHAO | {"姓名": "孙八"}], "昨天.xlsx")
    ImportBatch.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=PREVIEW_DAYS, hours=1))
    preview(client, "attendance", [sign_in("张三")])  # any new upload sweeps
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, recent.state) == ("discarded", "previewed")
    assert "110101199003071241" not in _stored_text(old)
    record = AuditRecord.objects.get(object_type="sheets.importbatch", object_id=str(old.pk),
                                     after__state="discarded")
    assert record.user is None and str(PREVIEW_DAYS) in record.reason
    assert commit(client, old).status_code == 400


def test_members_errors_name_the_column(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "members", [
        {"姓名": "孙八", "身份证号": "12345", "界别": "农业界", "开始日期": dt.date(2023, 1, 1),
         "专委会": "不存在委员会"},
        {"姓名": "张三", "界别": "经济界", "开始日期": dt.date(2023, 1, 1)},
        {"姓名": "周九", "界别": "经济界", "开始日期": dt.date(2030, 1, 1), "角色": "主任"},
    ])
    problems = {(e["row"], e["column"]) for e in batch.errors}
    assert {(2, "身份证号"), (2, "界别"), (2, "专委会"), (3, "姓名"), (4, "开始日期"),
            (4, "角色")} <= problems
    assert commit(client, batch).status_code == 400
    assert not Person.objects.filter(name__in=["孙八", "周九"]).exists()


def test_attendance_round_trip_records_one_entry_per_member(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "attendance", [
        sign_in("张三"), sign_in("李四", "请假"),
        sign_in("张三", "迟到", 会议类型="常委会议", 会议日期="2024-04-02", 会议半天数=1)],
        "三月签到.xlsx")
    assert batch.errors == []
    after = _assert_committed(client, batch, "三月签到.xlsx")
    entries = Entry.objects.filter(kind="attendance").order_by("id")
    assert [(e.membership_id, e.attrs["meeting"], e.attrs["state"], e.attrs.get("half_days"))
            for e in entries] == [
        (world.membership1.pk, "plenary", "attended", 4),
        (world.membership2.pk, "plenary", "leave", 0),
        (world.membership1.pk, "standing", "late", 1)]
    assert entries[0].date == dt.date(2024, 3, 5) and entries[0].attrs["half_days_total"] == 4
    assert {e.source_id for e in entries} == {str(batch.pk)}
    assert after["created"]["entries"] == [e.pk for e in entries]
    assert after["counts"] == {"entries": 3}


def test_proposals_round_trip_files_and_submits_on_the_given_day(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "proposals", [
        {"标题": "关于加强校园周边交通安全的建议", "正文": "上下学时段拥堵严重。建议增设护学岗。",
         "类别": "大会提案", "第一提案人": "张三", "附议人": "李四",
         "提交日期": dt.date(2024, 1, 15)},
        {"标题": "关于老旧小区加装电梯的建议", "正文": "加装电梯进展缓慢。", "第一提案人": "李四",
         "提交日期": "2024年5月6日"},
    ], "提案汇总.xlsx")
    assert batch.errors == []
    after = _assert_committed(client, batch, "提案汇总.xlsx")
    joint = Proposal.objects.get(title__startswith="关于加强校园")
    assert joint.state == "submitted" and joint.submitted_on == dt.date(2024, 1, 15)
    assert joint.proposer_type == "joint" and joint.category == "plenary"
    assert [a.membership_id for a in joint.authors.order_by("rank")] == [
        world.membership1.pk, world.membership2.pk]
    assert all(a.confirmed_on for a in joint.authors.all())
    single = Proposal.objects.get(title__startswith="关于老旧小区")
    assert single.proposer_type == "individual" and single.category == "between_sessions"
    assert sorted(after["created"]["proposals"]) == sorted([joint.pk, single.pk])
    assert Entry.objects.filter(kind="proposal", attrs__status="submitted").count() == 3


def test_reports_round_trip(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "reports", [
        {"标题": "农村养老服务短板亟待补齐", "正文": "调研发现……建议……", "作者": "张三、李四",
         "提交日期": dt.date(2024, 6, 1)}], "社情民意.xlsx")
    assert batch.errors == []
    _assert_committed(client, batch, "社情民意.xlsx")
    report = OpinionReport.objects.get()
    assert report.state == "submitted" and report.submitted_on == dt.date(2024, 6, 1)
    assert [a.membership_id for a in report.authors.order_by("rank")] == [
        world.membership1.pk, world.membership2.pk]


def test_commendations_round_trip(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "commendations", [
        {"姓名": "张三", "级别": "省级", "表彰名称": "优秀政协委员", "表彰日期": "2024-12-01"},
        {"姓名": "李四", "级别": "市级", "表彰名称": "履职先进个人", "表彰日期": "2024-12-01"}],
        "表彰.xlsx")
    assert batch.errors == []
    _assert_committed(client, batch, "表彰.xlsx")
    assert sorted((e.membership_id, e.attrs["level"]) for e in Entry.objects.filter(
        kind="commendation")) == sorted([(world.membership1.pk, "provincial"),
                                         (world.membership2.pk, "prefecture")])


# Bad rows, then the corrected file ----------------------------------------------------------

BAD_SIGN_IN = [
    sign_in("张三"),
    sign_in("李四", "到场了"),          # row 3: no such state
    sign_in("王小二"),                  # row 4: nobody of that name
    {**sign_in("张三", "请假"), "会议日期": "2024-13-45", "会议类型": "常委会议"},  # row 5
]


def test_sign_in_sheet_with_bad_rows_imports_nothing_and_names_row_and_column(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "attendance", BAD_SIGN_IN, "签到表.xlsx")
    problems = {(e["row"], e["column"]) for e in batch.errors}
    assert problems == {(3, "出席情况"), (4, "姓名"), (5, "会议日期")}
    page = client.get(f"/sheets/batches/{batch.pk}/").content.decode()
    assert 'id="preview"' in page
    assert page.count('class="row-error"') == 3
    assert 'class="cell-error" title="“到场了” is not allowed' in page
    assert "No member named “王小二”" in page
    assert 'id="commit"' not in page
    response = commit(client, batch)
    assert response.status_code == 400
    assert not Entry.objects.exists() and not batch_audits(batch).exists()
    batch.refresh_from_db()
    assert batch.state == "previewed"

    fixed = [sign_in("张三"), sign_in("李四", "请假"),
             {**sign_in("张三", "请假"), "会议日期": "2024-03-15", "会议类型": "常委会议"}]
    again = preview(client, "attendance", fixed, "签到表（改）.xlsx")
    assert again.errors == []
    assert 'id="commit"' in client.get(f"/sheets/batches/{again.pk}/").content.decode()
    _assert_committed(client, again, "签到表（改）.xlsx")
    assert Entry.objects.filter(kind="attendance").count() == 3


def test_same_member_twice_for_one_meeting_is_an_error(world, as_user):
    batch = preview(as_user(world.office), "attendance", [sign_in("张三"), sign_in("张三")])
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "姓名")]


def test_meeting_half_days_must_agree_across_its_rows(world, as_user):
    batch = preview(as_user(world.office), "attendance", [
        sign_in("张三"), {**sign_in("李四"), "会议半天数": 2}])
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "会议半天数")]


def test_importing_the_same_sign_in_sheet_twice_is_refused(world, as_user):
    client = as_user(world.office)
    data = fill(template(client, "attendance"), "attendance", [sign_in("张三")])
    first = ImportBatch.objects.get(pk=upload(client, "attendance", data)["Location"]
                                    .rstrip("/").split("/")[-1])
    _assert_committed(client, first, "表.xlsx")
    upload(client, "attendance", data)
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    messages = " ".join(e["message"] for e in second.errors)
    assert "Already in the ledger" in messages and "This very file was imported" in messages
    assert Entry.objects.count() == 1


def test_ambiguous_names_must_be_told_apart(world, as_user):
    client = as_user(world.office)
    other = org.create_person(world.admin, name="张三", id_number="110101198001045678")
    org.create_membership(world.admin, person=other, committee=world.committee,
                          term=world.term, sector=world.sector2, start=dt.date(2022, 1, 1))
    batch = preview(client, "attendance", [sign_in("张三"), sign_in("张三", 身份证号后四位="5678")])
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "姓名")]
    assert "2 members are named “张三”" in batch.errors[0]["message"]
    batch = preview(client, "proposals", [
        {"标题": "甲", "正文": "乙", "第一提案人": "张三（1234）", "附议人": "张三",
         "提交日期": dt.date(2024, 1, 1)}])
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "附议人")]


def test_a_member_not_seated_on_the_day_is_not_found(world, as_user):
    org.end_membership(world.admin, world.membership2, end=dt.date(2023, 12, 31),
                       reason="辞职")
    batch = preview(as_user(world.office), "attendance", [sign_in("李四")])
    assert "李四 was not a member on 2024-03-05" in batch.errors[0]["message"]


def test_a_report_over_the_length_limit_is_an_error_at_preview(world, as_user):
    batch = preview(as_user(world.office), "reports", [
        {"标题": "长", "正文": "字" * 1501, "作者": "张三", "提交日期": dt.date(2024, 6, 1)}])
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "正文")]


# Commit is all or nothing, once -------------------------------------------------------------

def test_recommitting_a_batch_is_refused(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "commendations", [
        {"姓名": "张三", "级别": "省级", "表彰名称": "优秀政协委员", "表彰日期": "2024-12-01"}])
    _assert_committed(client, batch, "表.xlsx")
    response = commit(client, batch)
    assert response.status_code == 400
    assert "already imported" in response.content.decode()
    assert Entry.objects.count() == 1 and batch_audits(batch).count() == 1


def test_a_service_refusal_during_commit_rolls_back_every_row(world, as_user, monkeypatch):
    from shixiao.core.errors import DomainError
    from shixiao.proposals import services as ps

    real_submit, calls = ps.submit, []

    def submit_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise DomainError("the second proposal is refused")
        return real_submit(*args, **kwargs)

    client = as_user(world.office)
    batch = preview(client, "proposals", [
        {"标题": f"提案{i}", "正文": "正文", "第一提案人": "张三", "提交日期": dt.date(2024, 1, i)}
        for i in (1, 2, 3)])
    monkeypatch.setattr(ps, "submit", submit_then_fail)
    response = commit(client, batch)
    assert response.status_code == 400
    assert "Row 3: the second proposal is refused" in response.content.decode()
    assert not Proposal.objects.exists() and not Entry.objects.exists()
    batch.refresh_from_db()
    assert batch.state == "previewed" and not batch_audits(batch).exists()


def test_commit_is_refused_when_the_ledger_changed_since_the_preview(world, as_user):
    from shixiao.ledger import services as ledger

    client = as_user(world.office)
    batch = preview(client, "attendance", [sign_in("张三")])
    ledger.record_entry(world.office, world.membership1, kind="attendance",
                        date=dt.date(2024, 3, 5), attrs={
                            "meeting": "plenary", "state": "attended",
                            "ref": "plenary:2024-03-05"})
    response = commit(client, batch)
    assert response.status_code == 400
    assert "Since the preview the data changed" in response.content.decode()
    assert Entry.objects.count() == 1


def test_a_discarded_preview_cannot_be_committed(world, as_user):
    client = as_user(world.office)
    batch = preview(client, "attendance", [sign_in("张三")])
    assert client.post(f"/sheets/batches/{batch.pk}/discard/").status_code == 302
    assert commit(client, batch).status_code == 400
    assert not Entry.objects.exists()


# Who may import -----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["leader", "sc1_staff", "member1", "auditor", "unit1_user"])
def test_users_without_the_import_permission_get_403(world, as_user, who):
    client = as_user(getattr(world, who))
    batch = preview(as_user(world.office), "attendance", [sign_in("张三")])
    data = fill(template(as_user(world.office), "attendance"), "attendance", [sign_in("张三")])
    assert client.get("/sheets/import/attendance/").status_code == 403
    assert client.get("/sheets/templates/attendance.xlsx").status_code == 403
    assert upload(client, "attendance", data).status_code == 403
    assert client.get(f"/sheets/batches/{batch.pk}/").status_code == 403
    assert commit(client, batch).status_code == 403
    assert not Entry.objects.exists() and ImportBatch.objects.count() == 1


def test_another_committees_batch_is_404(world, as_user):
    batch = preview(as_user(world.office), "attendance", [sign_in("张三")])
    client = as_user(world.office_other)
    assert client.get(f"/sheets/batches/{batch.pk}/").status_code == 404
    assert commit(client, batch).status_code == 404
    assert client.post(f"/sheets/batches/{batch.pk}/discard/").status_code == 404
    assert not Entry.objects.exists()


def test_members_of_another_committee_are_unknown(world, as_user):
    batch = preview(as_user(world.office), "commendations", [
        {"姓名": "王五", "级别": "省级", "表彰名称": "优秀", "表彰日期": "2024-12-01"}])
    assert "No member named “王五”" in batch.errors[0]["message"]


def test_anonymous_visitors_are_sent_to_login(world, client):
    response = client.get("/sheets/import/attendance/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_kind_is_404(world, as_user):
    assert as_user(world.office).get("/sheets/import/nonsense/").status_code == 404
    assert as_user(world.office).get("/sheets/templates/nonsense.xlsx").status_code == 404


def test_corrected_upload_supersedes_the_faulty_pending_preview(world, as_user):
    client = as_user(world.office)
    good_other = preview(client, "attendance", [sign_in("张三", 会议日期=dt.date(2024, 4, 2))],
                         name="四月签到.xlsx")
    faulty = preview(client, "attendance", [sign_in("张三"), sign_in("李四", "到场了")],
                     name="签到.xlsx")
    assert faulty.errors and faulty.state == "previewed"
    corrected = preview(client, "attendance", [sign_in("张三"), sign_in("李四", "请假")],
                        name="签到（改）.xlsx")
    faulty.refresh_from_db()
    good_other.refresh_from_db()
    assert faulty.state == "discarded", "the faulty preview no longer reads as pending"
    assert good_other.state == "previewed", "a preview without errors may still be imported"
    assert corrected.state == "previewed" and not corrected.errors
    record = AuditRecord.objects.get(object_type="sheets.importbatch", object_id=str(faulty.pk),
                                     after__state="discarded")
    assert record.username == "office"
    assert f"#{corrected.pk}" in record.reason and "签到（改）.xlsx" in record.reason


def test_another_persons_faulty_preview_is_left_alone(world, as_user):
    from shixiao.accounts.services import create_user
    from shixiao.core.choices import UserRole

    colleague = create_user(None, username="office2", password="pw", role=UserRole.OFFICE,
                            committee=world.committee)
    faulty = preview(as_user(colleague), "attendance", [sign_in("李四", "到场了")])
    preview(as_user(world.office), "attendance", [sign_in("李四", "请假")])
    faulty.refresh_from_db()
    assert faulty.state == "previewed"
