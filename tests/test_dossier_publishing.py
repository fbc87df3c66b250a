"""Publishing a year's assessment: frozen copies of a scoring run, versions that supersede
and stay readable, every step audited, and clear refusals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shixiao.assessment.models import MemberScore
from shixiao.audit.models import AuditRecord
from shixiao.core.errors import DomainError
from shixiao.dossier.models import Publication, PublishedScore
from shixiao.dossier.services import publish_assessment
from shixiao.ledger import services as ledger

from .dossier_kit import YEAR, build_year, score


@pytest.fixture
def year(world):
    world.run = build_year(world)
    return world


def test_publishing_copies_every_members_score_and_explanation(year):
    w = year
    publication = publish_assessment(w.office, w.committee, YEAR, note="")
    assert (publication.number, publication.score_run, publication.published_by) == (
        1, w.run, w.office)
    copied = {s.membership_id: (s.total, s.grade, s.explanation)
              for s in publication.scores.all()}
    original = {s.membership_id: (s.total, s.grade, s.explanation)
                for s in MemberScore.objects.filter(run=w.run)}
    assert copied == original and len(copied) == 2
    assert publication.verify(), "the digest taken at publishing matches the stored rows"


def test_published_rows_refuse_update_and_delete(year):
    w = year
    publication = publish_assessment(w.office, w.committee, YEAR, note="")
    row = publication.scores.first()
    row.total = 100
    with pytest.raises(DomainError):
        row.save()
    with pytest.raises(DomainError):
        row.delete()
    with pytest.raises(DomainError):
        PublishedScore.objects.filter(pk=row.pk).update(total=100)
    with pytest.raises(DomainError):
        PublishedScore.objects.filter(pk=row.pk).delete()
    publication.note = "changed afterwards"
    with pytest.raises(DomainError):
        publication.save()
    with pytest.raises(DomainError):
        publication.delete()
    with pytest.raises(DomainError):
        Publication.objects.filter(pk=publication.pk).update(note="changed")
    with pytest.raises(DomainError):
        Publication.objects.all().delete()
    publication.refresh_from_db()
    assert publication.note == "" and publication.verify()


def test_publication_keeps_its_scores_when_the_run_is_rescored(year):
    w = year
    publication = publish_assessment(w.office, w.committee, YEAR, note="")
    before = publication.scores.get(membership=w.membership1).total
    ledger.record_entry(w.office, w.membership1, kind="constituent_contact",
                        date=dt.date(YEAR, 6, 1), attrs={"status": "confirmed"})
    later = score(w)
    assert later.scores.get(membership=w.membership1).total > before
    assert publication.scores.get(membership=w.membership1).total == before


def test_republishing_supersedes_and_keeps_the_old_version_readable_and_audited(year):
    w = year
    first = publish_assessment(w.office, w.committee, YEAR, note="")
    ledger.record_entry(w.office, w.membership1, kind="constituent_contact",
                        date=dt.date(YEAR, 6, 1), attrs={"status": "confirmed"})
    rescored = score(w)
    second = publish_assessment(w.office, w.committee, YEAR,
                                note="A constituent confirmed a fix after review")
    first.refresh_from_db()
    assert second.number == 2 and second.score_run == rescored
    assert first.superseded_by == second and second.superseded_by is None
    assert first.scores.count() == 2 and first.verify(), "the old version stays readable"
    assert first.scores.get(membership=w.membership1).total < \
        second.scores.get(membership=w.membership1).total
    records = AuditRecord.objects.filter(object_type="dossier.publication")
    created = records.filter(action="create").values_list("object_id", flat=True)
    assert set(created) == {str(first.pk), str(second.pk)}
    superseded = records.get(action="update", object_id=str(first.pk))
    assert superseded.changes["superseded_by_id"] == [None, second.pk]
    assert records.get(action="create", object_id=str(second.pk)).reason == \
        "A constituent confirmed a fix after review"


def test_a_new_version_must_say_why(year):
    w = year
    publish_assessment(w.office, w.committee, YEAR, note="")
    score(w)
    with pytest.raises(ValidationError) as info:
        publish_assessment(w.office, w.committee, YEAR, note="  ")
    assert "note" in info.value.error_dict
    assert Publication.objects.count() == 1


def test_the_same_run_is_not_published_twice(year):
    w = year
    publish_assessment(w.office, w.committee, YEAR, note="")
    with pytest.raises(DomainError, match="already published as version 1"):
        publish_assessment(w.office, w.committee, YEAR, note="again")


def test_publish_is_refused_without_a_run(world):
    with pytest.raises(DomainError, match="no scoring run of 2024"):
        publish_assessment(world.office, world.committee, 2024, note="")
    assert not Publication.objects.exists()


def test_publish_refuses_a_run_of_another_year_or_committee(year):
    w = year
    with pytest.raises(ValidationError) as info:
        publish_assessment(w.office, w.committee, YEAR + 1, run=w.run, note="")
    assert "run" in info.value.error_dict


def test_only_the_committees_office_publishes(year):
    w = year
    for user in (w.leader, w.sc1_staff, w.auditor, w.member1, w.unit1_user):
        with pytest.raises(PermissionDenied):
            publish_assessment(user, w.committee, YEAR, note="")
    with pytest.raises(Http404):
        publish_assessment(w.office_other, w.committee, YEAR, note="")
    assert not Publication.objects.exists()


def test_default_run_is_the_latest_of_the_current_rubric(year):
    w = year
    later = score(w, as_of=dt.date(YEAR + 1, 3, 1))
    assert publish_assessment(w.office, w.committee, YEAR, note="").score_run == later


# --- pages ------------------------------------------------------------------------------------

def test_index_lists_years_runs_and_publications(year, as_user):
    w = year
    publication = publish_assessment(w.office, w.committee, YEAR, note="首次公布")
    page = as_user(w.office).get("/dossier/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/dossier/publications/{publication.pk}/" in html
    assert f"/dossier/committees/{w.committee.pk}/{YEAR}/publish/" in html
    assert f"/dossier/committee/{w.committee.pk}/{YEAR}.docx" in html
    member_page = as_user(w.member1).get("/dossier/").content.decode()
    assert f"/dossier/members/{w.membership1.pk}/{YEAR}.docx" in member_page
    assert "/publish/" not in member_page
    assert as_user(w.unit1_user).get("/dossier/").status_code == 403


def test_publish_page_confirms_before_it_publishes(year, as_user):
    w = year
    client = as_user(w.office)
    url = f"/dossier/committees/{w.committee.pk}/{YEAR}/publish/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"run": w.run.pk, "note": ""})
    assert refused.status_code == 400 and not Publication.objects.exists()
    done = client.post(url, {"run": w.run.pk, "note": "", "confirm": "on"})
    publication = Publication.objects.get()
    assert done.status_code == 302 and done["Location"] == \
        f"/dossier/publications/{publication.pk}/"
    again = client.post(url, {"run": w.run.pk, "note": "x", "confirm": "on"})
    assert again.status_code == 400 and Publication.objects.count() == 1


def test_publish_page_permissions(year, as_user):
    w = year
    url = f"/dossier/committees/{w.committee.pk}/{YEAR}/publish/"
    assert as_user(w.leader).get(url).status_code == 403
    assert as_user(w.member1).post(url, {"run": w.run.pk, "confirm": "on"}).status_code == 403
    assert as_user(w.office_other).get(url).status_code == 404
    assert not Publication.objects.exists()


def test_publication_page_is_scoped_and_members_see_only_their_row(year, as_user):
    w = year
    publication = publish_assessment(w.office, w.committee, YEAR, note="")
    url = f"/dossier/publications/{publication.pk}/"
    office = as_user(w.office).get(url).content.decode()
    assert "张三" in office and "李四" in office
    mine = as_user(w.member1).get(url)
    assert mine.status_code == 200
    assert "张三" in mine.content.decode() and "李四" not in mine.content.decode()
    sc1 = as_user(w.sc1_staff).get(url).content.decode()
    assert "张三" in sc1 and "李四" not in sc1, "special-committee staff see their members"
    assert as_user(w.office_other).get(url).status_code == 404
    assert as_user(w.member_other).get(url).status_code == 404
    assert as_user(w.unit1_user).get(url).status_code == 403
    assert as_user(w.auditor).get(url).status_code == 200


def test_superseded_publication_page_links_its_successor(year, as_user):
    w = year
    first = publish_assessment(w.office, w.committee, YEAR, note="")
    score(w, as_of=dt.date(YEAR + 1, 1, 31))
    second = publish_assessment(w.office, w.committee, YEAR, note="late outcomes")
    page = as_user(w.member1).get(f"/dossier/publications/{first.pk}/")
    assert page.status_code == 200
    assert f"/dossier/publications/{second.pk}/" in page.content.decode()
