"""Permission-matrix cases for every GET endpoint of the API (format: tests/matrix.py).

`denied` is None where every role holds the permission (committees, handling units, /me);
those endpoints are still covered for anonymous (401) and in-scope (200).
"""

from .matrix import Case

API = "/api/v1"

API_CASES: list[Case] = [
    Case("api_me", lambda w: f"{API}/me", allowed="member1", denied=None, api=True),
    Case("api_committees", lambda w: f"{API}/committees", allowed="office", denied=None,
         api=True),
    Case("api_committee_detail", lambda w: f"{API}/committees/{w.committee.pk}",
         allowed="office", denied=None,
         out_of_scope=lambda w: f"{API}/committees/{w.other.committee.pk}", api=True),
    Case("api_sectors", lambda w: f"{API}/sectors?committee={w.committee.pk}",
         allowed="office", denied="unit1_user", api=True),
    Case("api_special_committees",
         lambda w: f"{API}/special-committees?committee={w.committee.pk}",
         allowed="sc1_staff", denied="unit1_user", api=True),
    Case("api_handling_units", lambda w: f"{API}/handling-units", allowed="unit1_user",
         denied=None, api=True),
    Case("api_handling_unit_detail", lambda w: f"{API}/handling-units/{w.unit1.pk}",
         allowed="unit1_user", denied=None,
         out_of_scope=lambda w: f"{API}/handling-units/{w.unit2.pk}", api=True),
    Case("api_members", lambda w: f"{API}/members", allowed="office", denied="unit1_user",
         api=True),
    Case("api_member_detail", lambda w: f"{API}/members/{w.membership1.pk}",
         allowed="sc1_staff", denied="unit1_user",
         out_of_scope=lambda w: f"{API}/members/{w.membership2.pk}", api=True),
    Case("api_person_detail", lambda w: f"{API}/people/{w.person1.pk}",
         allowed="sc1_staff", denied="unit1_user",
         out_of_scope=lambda w: f"{API}/people/{w.person2.pk}", api=True),
]
