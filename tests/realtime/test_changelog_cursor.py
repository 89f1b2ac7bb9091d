"""The ChangeLog cursor: each id taken once, late commits below the newest id still taken, dead gaps given up."""

from __future__ import annotations

from types import SimpleNamespace

from nogalss_app.services.changelog_cursor import GAP_GRACE, Cursor


def rows(*ids):
    return [SimpleNamespace(id=i) for i in ids]


def ids(taken):
    return [row.id for row in taken]


def test_each_id_is_taken_once():
    cursor = Cursor()
    assert ids(cursor.take(rows(1, 2, 3), None, now=0.0)) == [1, 2, 3]
    assert ids(cursor.take(rows(2, 3, 4), None, now=0.1)) == [4]
    assert cursor.high == 4 and not cursor.gaps


def test_a_row_committed_after_a_newer_one_is_still_taken():
    cursor = Cursor()
    cursor.take(rows(1, 3), (100, 105), now=0.0)
    assert set(cursor.gaps) == {2}
    assert ids(cursor.take(rows(2), (100, 105), now=0.5)) == [2]
    assert not cursor.gaps


def test_on_postgresql_a_gap_is_given_up_only_when_every_transaction_that_could_fill_it_has_ended():
    cursor = Cursor()
    cursor.take(rows(1, 3), (100, 105), now=0.0)
    cursor.take([], (100, 106), now=0.5)  # noted: transactions below xid 106 may still commit id 2
    assert cursor.gaps[2].xmax == 106
    cursor.take([], (105, 110), now=60.0)  # xid 105 still running: wait, however long it takes
    assert 2 in cursor.gaps
    cursor.take([], (106, 110), now=61.0)  # every transaction below 106 has ended: id 2 was rolled back
    assert not cursor.gaps


def test_without_snapshots_a_gap_is_given_up_after_a_short_grace():
    cursor = Cursor()
    cursor.take(rows(1, 3), None, now=0.0)
    cursor.take([], None, now=GAP_GRACE / 2)
    assert 2 in cursor.gaps
    cursor.take([], None, now=GAP_GRACE + 0.1)
    assert not cursor.gaps
