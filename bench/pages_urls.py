"""The app's URLs plus the benchmark's anchor: the first 50 members of the list, read with
one raw SQL query and rendered in a bare table. It runs behind the same middleware, session
and login as every page, so its time is what any list page costs before its own queries and
template: the floor a list page can be measured against."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from shixiao.urls import urlpatterns as app_urls

TEMPLATE = engines["django"].from_string(
    "<!DOCTYPE html><html lang=\"zh-hans\"><head><meta charset=\"utf-8\"><title>anchor</title>"
    "</head><body><table>{% for id, name, role, start in rows %}<tr><td>{{ id }}</td>"
    "<td>{{ name }}</td><td>{{ role }}</td><td>{{ start }}</td></tr>{% endfor %}</table>"
    "</body></html>")
SQL = ("SELECT m.id, p.name, m.role, m.start FROM orgs_membership m "
       "JOIN orgs_person p ON p.id = m.person_id ORDER BY p.name, m.id LIMIT 50")


@login_required
def raw_members(request):
    with connection.cursor() as cursor:
        cursor.execute(SQL)
        rows = cursor.fetchall()
    return HttpResponse(TEMPLATE.render({"rows": rows}, request))


urlpatterns = [path("bench/raw-members/", raw_members), *app_urls]
