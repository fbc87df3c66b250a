"""Permission-matrix cases for every page that needs a login (format: tests/matrix.py).

`denied` is None only for pages every role may open (home, handling units); those are still
covered for anonymous (→ login) and in scope (200).
"""

from .matrix import Case

WEB_CASES: list[Case] = [
    Case("web_home", lambda w: "/", allowed="member1", denied=None),
    Case("web_member_list", lambda w: "/members/", allowed="office", denied="unit1_user"),
    Case("web_member_detail_sc_scope", lambda w: f"/members/{w.membership1.pk}/",
         allowed="sc1_staff", denied="unit1_user",
         out_of_scope=lambda w: f"/members/{w.membership2.pk}/"),
    Case("web_member_detail_other_committee", lambda w: f"/members/{w.membership1.pk}/",
         allowed="office", denied="unit1_user",
         out_of_scope=lambda w: f"/members/{w.membership_other.pk}/"),
    Case("web_member_detail_own", lambda w: f"/members/{w.membership1.pk}/",
         allowed="member1", denied="unit1_user",
         out_of_scope=lambda w: f"/members/{w.membership2.pk}/"),
    Case("web_member_create", lambda w: "/members/new/", allowed="office", denied="member1"),
    Case("web_member_edit", lambda w: f"/members/{w.membership1.pk}/edit/",
         allowed="sc1_staff", denied="leader",
         out_of_scope=lambda w: f"/members/{w.membership2.pk}/edit/"),
    Case("web_membership_add", lambda w: f"/people/{w.person1.pk}/memberships/new/",
         allowed="office", denied="member1",
         out_of_scope=lambda w: f"/people/{w.person_other.pk}/memberships/new/"),
    Case("web_sector_list", lambda w: "/sectors/", allowed="office", denied="unit1_user"),
    Case("web_unit_list", lambda w: "/units/", allowed="unit1_user", denied=None),
    Case("web_unit_detail", lambda w: f"/units/{w.unit1.pk}/", allowed="unit1_user",
         denied=None, out_of_scope=lambda w: f"/units/{w.unit2.pk}/"),
    Case("web_audit_list", lambda w: "/audit/", allowed="office", denied="member1"),
]
