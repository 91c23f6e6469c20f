"""The window picker's data: free, taken (by whom) and the clerk's own window (issue 12.5)."""

from tests.helpers import DISPLAY, login, window

CHOICES = "/api/v1/halls/demo/windows"


def test_the_pad_reads_which_windows_are_free_taken_and_mine(client):
    me, other = login(client), login(client, "clerk02")
    window(client, me, "S01", "sign-in")
    window(client, other, "S02", "sign-in")
    window(client, other, "S02", "pause", reason="午休")
    r = client.get(CHOICES, headers=me)
    assert r.status_code == 200, r.text
    rows = {w["code"]: w for w in r.json()["windows"]}
    assert rows["S01"]["mine"] is True and rows["S01"]["clerk"]["username"] == "clerk01"
    assert rows["S02"]["mine"] is False and rows["S02"]["status"] == "paused"
    assert rows["S02"]["clerk"] == {"username": "clerk02", "name": rows["S02"]["clerk"]["name"]}
    assert rows["S02"]["clerk"]["name"] and rows["S02"]["clerk"]["name"] != "clerk02"
    assert rows["S03"]["clerk"] is None and rows["S03"]["status"] == "closed"


def test_only_staff_see_who_is_signed_in(client):
    assert client.get(CHOICES, headers=DISPLAY).status_code == 403
