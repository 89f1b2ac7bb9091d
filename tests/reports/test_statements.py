"""Member statements: who may read one, opening + Σ lines = closing, closing = the dashboard's savings balance."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import timedelta

import pytest

from nogalss_app.models.types import utcnow
from nogalss_app.services import balances, transactions
from nogalss_app.services.money import format_naira
from nogalss_app.services.periods import local_today
from tests.support.demo import demo_user, seed_demo_data, sign_in_demo
from tests.support.panels import dashboard_stats


@pytest.fixture
def demo(app):
    seed_demo_data()


def test_closing_balance_is_the_savings_balance_and_the_lines_add_up(demo, app):
    client = app.test_client()
    member = sign_in_demo(client, "member1")
    body = client.get(f"/api/statements/{member.id}").get_json()
    balance = dashboard_stats("member", client)["savings"]["balance_kobo"]
    assert body["closing_kobo"] == balance
    assert body["opening_kobo"] + sum(line["amount_kobo"] for line in body["lines"]) == body["closing_kobo"]
    assert body["lines"], "the demo member has savings movements"
    running = body["opening_kobo"]
    for line in body["lines"]:
        running += line["amount_kobo"]
        assert line["balance_kobo"] == running
    # a later window opens where the earlier one left off
    today = local_today(utcnow())
    middle = (today - timedelta(days=90)).isoformat()
    late = client.get(f"/api/statements/{member.id}?from={middle}").get_json()
    early_to = (today - timedelta(days=91)).isoformat()
    early = client.get(f"/api/statements/{member.id}?to={early_to}").get_json()
    assert late["opening_kobo"] == early["closing_kobo"]
    assert late["opening_kobo"] + sum(line["amount_kobo"] for line in late["lines"]) == balance


def test_who_may_read_a_statement(demo, app):
    member = demo_user("member1")
    for local, status in [
        ("member1", 200),
        ("leader1", 200),
        ("finance", 200),
        ("super-admin", 200),
        ("member2", 404),
        ("leader2", 404),
        ("apex", 404),
        ("apex-funds", 404),
    ]:
        client = app.test_client()
        sign_in_demo(client, local)
        assert client.get(f"/api/statements/{member.id}").status_code == status, local
    client = app.test_client()
    sign_in_demo(client, "finance")
    assert client.get("/api/statements/999999").status_code == 404
    assert client.get(f"/api/statements/{demo_user('apex').id}").status_code == 404
    for bad in ("from=2026-02-30", "from=0001-01-01", "to=9999-12-31", "from=2026-03-01&to=2026-02-01", "format=xlsx"):
        assert client.get(f"/api/statements/{member.id}?{bad}").status_code == 422, bad
    assert app.test_client().get(f"/api/statements/{member.id}").status_code == 401


def test_statement_csv_and_pdf(demo, app):
    client = app.test_client()
    member = sign_in_demo(client, "member1")
    body = client.get(f"/api/statements/{member.id}").get_json()
    response = client.get(f"/api/statements/{member.id}?format=csv")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["Date", "Reference", "Description", "Amount", "Balance"]
    assert len([line for line in lines[1:] if len(line) == 5 and line[1]]) == len(body["lines"])
    closing = next(line for line in lines if line and line[0] == "Closing balance")
    assert closing[1] == f"{body['closing_kobo'] // 100}.{body['closing_kobo'] % 100:02d}"
    pdf = client.get(f"/api/statements/{member.id}?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout
    assert format_naira(body["closing_kobo"]) in text.decode()
    assert "Page 1 of" in text.decode()


def test_the_member_dashboard_offers_the_statement(demo, app):
    client = app.test_client()
    member = sign_in_demo(client, "member1")
    html = client.get("/dashboard/member/panels/actions").get_data(as_text=True)
    assert f'href="/api/statements/{member.id}?format=pdf"' in html
    assert "Download statement" in html


def test_savings_adjustments_are_statement_lines_and_part_of_every_balance_figure(demo, app):
    member = demo_user("member1")
    admin = demo_user("super-admin")
    for direction, amount in (("credit", 2_500_00), ("debit", 700_00)):
        transactions.create_adjustment(
            {
                "type": "ADJUSTMENT",
                "user_id": member.id,
                "amount_kobo": amount,
                "reason": f"Statement test {direction}",
                "direction": direction,
                "status": "SUCCESSFUL",
            },
            actor_id=admin.id,
        )
    balance = balances.savings_balance_kobo(member.id)
    client = app.test_client()
    sign_in_demo(client, "member1")
    body = client.get(f"/api/statements/{member.id}").get_json()
    assert body["closing_kobo"] == balance == dashboard_stats("member", client)["savings"]["balance_kobo"]
    adjusted = [line for line in body["lines"] if line["description"].startswith("Savings adjustment")]
    assert sorted(line["amount_kobo"] for line in adjusted) == [-700_00, 2_500_00]
    assert body["opening_kobo"] + sum(line["amount_kobo"] for line in body["lines"]) == body["closing_kobo"]
    figure = client.get("/api/figures/member/savings/balance?per_page=100").get_json()
    assert figure["total_kobo"] == balance
    # the leader's members panel shows (and drills down to) the same balance
    leader = app.test_client()
    sign_in_demo(leader, "leader1")
    listed = {m["id"]: m for m in dashboard_stats("leader", leader)["members"]["items"]}
    assert listed[member.id]["savings_balance_kobo"] == balance
    of = leader.get(f"/api/figures/leader/members/balance?of={member.id}").get_json()
    assert of["total_kobo"] == balance


def test_a_statement_shows_each_loan_with_moneys_schedule(demo, app):
    client = app.test_client()
    member = sign_in_demo(client, "member4")
    loans = client.get(f"/api/statements/{member.id}").get_json()["loans"]
    panel = {loan["id"]: loan for loan in dashboard_stats("member", client)["loans"]["items"]}
    assert loans and any(loan["arrears_kobo"] for loan in loans), "member4 has a loan in arrears"
    for loan in loans:
        shown = panel[loan["id"]]
        assert loan["total_due_kobo"] == shown["total_due_kobo"]
        assert loan["outstanding_kobo"] == shown["remaining_kobo"]
        assert (loan["arrears_kobo"], loan["days_past_due"]) == (shown["arrears_kobo"], shown["days_past_due"])
        assert [i["due"] for i in loan["schedule"]] == [i["due_on"] for i in shown["instalments"]]
        if loan["schedule"]:
            assert sum(i["amount_kobo"] for i in loan["schedule"]) == loan["total_due_kobo"]
        assert sum(r["amount_kobo"] for r in loan["repayments"]) == loan["repaid_kobo"]
