"""The staff navigation is made of each app's pages with the very predicate its view requires
(`<app>/nav.py`): for every role, a link is shown exactly when its page opens."""

import pytest
from django.urls import reverse

from minxin.accounts.nav import nav_for, nav_items

STAFF = ["call_taker", "dispatcher", "handler", "supervisor", "leader", "admin"]
# Pages open to every member of staff whose link only some are shown (see metrics/nav.py).
OPEN_TO_ALL = {"metrics:exports"}


def test_every_app_page_in_the_nav_is_listed_once_per_label():
    items = nav_items()
    assert len({(i.url_name, i.label) for i in items}) == len(items)
    assert [i.order for i in items] == sorted(i.order for i in items)


@pytest.mark.parametrize("who", STAFF)
def test_a_link_shows_exactly_when_its_page_opens(client, district, who):
    user = district.user(who)
    client.force_login(user)
    html = client.get(reverse("cases:home"), follow=True).content.decode()
    shown = {url for url, _ in nav_for(user)}
    for url_name in {item.url_name for item in nav_items()}:
        status = client.get(reverse(url_name)).status_code
        if url_name in shown:
            assert status == 200, f"{who} is shown {url_name} but gets {status}"
            assert f'href="{reverse(url_name)}"' in html
        elif url_name not in OPEN_TO_ALL:
            # Not theirs: missing, or (the appeal list, for a handler) sent to their own page.
            assert status in (302, 404), f"{who} is not shown {url_name} but gets {status}"
