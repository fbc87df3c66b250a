"""Small page defects of issue 10: counts read as phrases, the head keeps Chinese browsers
out of IE mode."""

import re


def text(response) -> str:
    return response.content.decode()


def visible(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text(response)))


def test_home_counts_read_as_phrases_not_as_ids(world, as_user):
    html = visible(as_user(world.office).get("/"))
    assert "2 个承办单位" in html and "2 名现任委员" in html and "2 个界别" in html
    assert "2 个专门委员会" in html
    assert not re.search(r"承办单位\s*\d", html), "a label then a number reads like an id"


def test_home_count_of_one_unit_reads_as_one_unit(world, as_user):
    html = visible(as_user(world.unit1_user).get("/"))
    assert "1 个承办单位" in html


def test_home_counts_in_english_use_the_plural_rule(world, as_user):
    client = as_user(world.unit1_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "1 handling unit" in visible(client.get("/"))
    assert "1 handling units" not in visible(client.get("/"))


def test_every_page_asks_360_and_qq_browsers_for_their_modern_engine(world, as_user, client):
    for response in (client.get("/login/"), as_user(world.member1).get("/")):
        html = text(response)
        head = html.split("</head>", 1)[0]
        assert '<meta name="renderer" content="webkit">' in head
        assert '<meta http-equiv="X-UA-Compatible" content="IE=edge">' in head


# Reply deadline after the reply -------------------------------------------------------------

def handling_section(html: str) -> str:
    start = html.index("<h2>办理情况</h2>")
    return html[start:html.index("</section>", start)]


def test_replied_proposal_shows_when_it_was_replied_not_its_deadline(world, as_user):
    from .proposals_kit import REPLY_ON, replied

    p = replied(world)
    assert p.reply_due
    for user in (world.office, world.member1, world.unit1_user):
        html = text(as_user(user).get(f"/proposals/{p.pk}/"))
        section = handling_section(html)
        assert "答复期限" not in section, user.username
        assert p.reply_due.isoformat() not in section, user.username
        assert f"{REPLY_ON.isoformat()} 答复" in section, user.username



# A closed proposal with a follow-up still due ------------------------------------------------

def closed_with_follow_ups_due(world):
    import datetime as dt

    from shixiao.proposals import services as ps

    from .proposals_kit import replied

    p = replied(world)
    six = p.follow_ups.order_by("due").first()
    ps.review_follow_up(world.office, six, finding="fulfilled", on=six.due,
                        evidence="2025年11月实地查看：接送车位已施划，照片存档。")
    p = ps.close(world.office, p, outcome="fulfilled", on=dt.date(2026, 1, 5))
    assert p.state == "closed" and p.follow_ups.filter(reviewed_on__isnull=True).exists()
    return p


def state_badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge[^"]*">([^<]*)</span>', html)


def test_a_proposal_with_a_follow_up_due_never_reads_as_finished(world, as_user):
    p = closed_with_follow_ups_due(world)
    pages = {
        "unit portal": as_user(world.unit1_user).get("/proposals/unit/"),
        "list": as_user(world.office).get("/proposals/"),
        "detail": as_user(world.office).get(f"/proposals/{p.pk}/"),
    }
    for name, response in pages.items():
        badges = state_badges(text(response))
        assert "已办结" not in badges, name
        assert "跟踪问效" in badges, (name, badges)
