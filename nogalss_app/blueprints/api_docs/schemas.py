"""What the URL map cannot say about each JSON endpoint: its body, its query parameters, its success status.

One entry per endpoint (`blueprint.view`). The OpenAPI document (`api_docs.document`) takes paths, methods, path
parameters and summaries from the URL map and the views, and these declarations for the rest; a write endpoint
without an entry fails tests/web/test_openapi.py, so a new endpoint is documented when it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...models import ExpenseStatus, LoanStatus, Role, Severity, TxStatus, WithdrawalStatus
from ...services import settings
from ...services.fields import EMAIL_MAX, MAX_AMOUNT_KOBO, MAX_ID


@dataclass(frozen=True)
class Op:
    """One endpoint's declared contract."""

    body: dict[str, Any] | None = None  # JSON request body schema (None = no body)
    query: dict[str, dict[str, Any]] = field(default_factory=dict)  # query parameter → schema
    status: int = 200  # the success status (204: no body)
    success: dict[str, Any] | None = None  # the success body's schema (None = any JSON object)
    public: bool = False  # answers signed-out callers (no auth needed)
    redirect: bool = False  # answers with a redirect, not JSON
    # Media types of the success answer: JSON, or also files (a report's `format=csv|xlsx|pdf`).
    produces: tuple[str, ...] = ("application/json",)


def text(max_len: int, **extra: Any) -> dict[str, Any]:
    """Return a text field's schema."""
    return {"type": "string", "maxLength": max_len, **extra}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), *, closed: bool = False) -> dict[str, Any]:
    """Return an object schema; `closed` when the endpoint refuses unknown fields (only(..., strict=True))."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def enum_of(values) -> dict[str, Any]:
    """Return a string enum schema."""
    return {"type": "string", "enum": [getattr(v, "value", v) for v in values]}


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
KOBO = {"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT_KOBO}
BP = {"type": "integer", "minimum": 0, "maximum": 10_000}
EMAIL = text(EMAIL_MAX, format="email")
NOTES = text(500)
NAME = text(100)

FILES = (
    "application/json",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
)
REPORT_PERIOD = {
    "from": text(10, format="date"),
    "to": text(10, format="date"),
    "preset": text(20),
}

PAGE_QUERY = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    "q": text(200),
    "sort": {"type": "string"},
    "order": {"type": "string", "enum": ["asc", "desc"]},
}
PAGE = obj(
    {
        "items": {"type": "array", "items": {"type": "object"}},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
    },
    ("items", "page", "per_page", "total", "pages"),
)
STARTED = obj(
    {"authorization_url": {"type": "string"}, "reference": {"type": "string"}}, ("authorization_url", "reference")
)
DECISION = obj({"status": {"type": "string"}, "notes": NOTES}, ("status",))
PERSON = {"first_name": NAME, "last_name": NAME, "email": EMAIL, "phone": text(32), "password": text(256)}
STAFF = obj(PERSON, ("first_name", "last_name", "email", "password"))
COOPERATIVE = obj(
    {
        "name": text(200),
        "registration_number": text(64),
        "address": text(300),
        "city": NAME,
        "state": NAME,
        "phone": text(32),
        "email": EMAIL,
        "bank_name": NAME,
        "bank_account_number": text(10, pattern="^[0-9]{10}$"),
        "bank_account_name": text(200),
        "parent_organization_id": ID,
    },
    ("name", "registration_number"),
)
ORGANIZATION = obj(
    {
        "name": text(200),
        "registration_number": text(64),
        "email": EMAIL,
        "phone": text(32),
        "address": text(300),
        "is_active": {"type": "boolean"},
    },
    ("name", "registration_number"),
)
PARTNER = obj({"name": text(200), "logo_url": text(500), "website": text(500), "description": text(2000)}, ("name",))
EXPENSE = obj(
    {"title": text(200), "description": text(2000), "amount_kobo": KOBO, "category": text(100)},
    ("title", "amount_kobo", "category"),
)
DATES = {"date_from": {"type": "string", "format": "date"}, "date_to": {"type": "string", "format": "date"}}
COOPERATIVE_CHOICE = {"cooperative": ID}
MEMBER_CHOICE = {"member": ID}

OPERATIONS: dict[str, Op] = {
    # Auth and registration
    "auth.api_login": Op(obj({"email": EMAIL, "password": text(256)}, ("email", "password")), public=True),
    "auth.api_logout": Op(),
    "api_registration.registration_info": Op(public=True),
    "api_registration.register": Op(
        obj(
            {
                "kind": enum_of(["member", "cooperative"]),
                **PERSON,
                "cooperative_code": text(64),
                **COOPERATIVE["properties"],
                "contact_email": EMAIL,
                **{f"leader_{name}": schema for name, schema in PERSON.items()},
            },
            ("kind",),
        ),
        status=201,
        success=STARTED,
        public=True,
    ),
    # Users and staff accounts
    "api_admin_users.list_users": Op(query={**PAGE_QUERY, "role": enum_of(Role), "cooperative_id": ID}, success=PAGE),
    "api_admin_users.create_user": Op(
        obj(
            {**PERSON, "role": enum_of(Role), "cooperative_id": ID},
            ("first_name", "last_name", "email", "password", "role"),
        ),
        status=201,
    ),
    "api_admin_users.get_user": Op(),
    "api_admin_users.update_user": Op(
        obj({"first_name": NAME, "last_name": NAME, "phone": text(32), "role": enum_of(Role), "cooperative_id": ID})
    ),
    "api_admin_users.delete_user": Op(),
    "api_admin_users.change_status": Op(),
    "api_admin_users.bulk": Op(
        obj(
            {
                "action": enum_of(["activate", "deactivate", "verify", "unverify", "delete"]),
                "ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 100},
            },
            ("action", "ids"),
            closed=True,
        )
    ),
    "api_admin_users.create_apex": Op(STAFF, status=201),
    "api_admin_users.create_finance": Op(STAFF, status=201),
    "api_admin_users.create_apex_funds": Op(STAFF, status=201),
    "api_admin_users.create_nogalss_funds": Op(STAFF, status=201),
    "api_admin_users.list_tokens": Op(),
    "api_admin_users.create_token": Op(
        obj({"user_id": ID, "name": NAME}, ("user_id", "name"), closed=True), status=201
    ),
    "api_admin_users.revoke_token": Op(),
    # Records
    "api_admin_records.list_transactions": Op(
        query={**PAGE_QUERY, **DATES, "status": enum_of(TxStatus), "user_id": ID, "cooperative_id": ID}, success=PAGE
    ),
    "api_admin_records.create_transaction": Op(
        obj(
            {
                "user_id": ID,
                "type": {"type": "string"},
                "amount_kobo": KOBO,
                "reason": text(500),
                "direction": enum_of(["CREDIT", "DEBIT"]),
                "status": {"type": "string"},
            },
            ("user_id", "type", "amount_kobo", "reason"),
        ),
        status=201,
    ),
    "api_admin_records.change_transaction": Op(DECISION),
    "api_admin_records.cancel_transaction": Op(),
    "api_admin_records.list_cooperatives": Op(query={**PAGE_QUERY, "parent_organization_id": ID}, success=PAGE),
    "api_admin_records.create_cooperative": Op(COOPERATIVE, status=201),
    "api_admin_records.get_cooperative": Op(),
    "api_admin_records.replace_cooperative": Op(COOPERATIVE),
    "api_admin_records.delete_cooperative": Op(status=204),
    "api_admin_records.change_leader": Op(obj({"user_id": ID}, ("user_id",))),
    # Parent organizations
    "api_admin_records.list_organizations": Op(query=PAGE_QUERY, success=PAGE),
    "api_admin_records.create_organization": Op(ORGANIZATION, status=201),
    "api_admin_records.get_organization": Op(),
    "api_admin_records.replace_organization": Op(ORGANIZATION),
    "api_admin_records.change_organization": Op({**ORGANIZATION, "required": []}),
    "api_admin_records.delete_organization": Op(status=204),
    "api_admin_records.decide_withdrawal": Op(DECISION),
    "api_admin_records.decide_expense": Op(DECISION),
    # Content and settings
    "api_admin_content.list_partners": Op(),
    "api_admin_content.create_partner": Op(PARTNER, status=201),
    "api_admin_content.update_partner": Op(PARTNER),
    "api_admin_content.delete_partner": Op(),
    "api_alerts.active_alerts": Op(),
    "api_admin_content.raise_alert": Op(
        obj(
            {"title": text(200), "message": text(2000), "severity": enum_of(Severity)},
            ("title", "message"),
            closed=True,
        ),
        status=201,
    ),
    "api_admin_content.deactivate_alert": Op(obj({"id": ID}, ("id",), closed=True)),
    "api_admin_content.get_settings": Op(),
    "api_admin_content.put_fees": Op(
        obj(
            {"member_fee_kobo": KOBO, "cooperative_fee_kobo": KOBO},
            ("member_fee_kobo", "cooperative_fee_kobo"),
            closed=True,
        )
    ),
    "api_admin_content.put_allocation": Op(
        obj({name: BP for name in settings.ALLOCATION_FIELDS}, settings.ALLOCATION_FIELDS, closed=True)
    ),
    "api_admin_content.put_withdrawals": Op(
        obj({role.value: {"type": "boolean"} for role in settings.WITHDRAWAL_ROLES}, closed=True)
    ),
    "api_admin_content.put_loans": Op(obj({"loan_interest_bp": BP}, ("loan_interest_bp",), closed=True)),
    "api_member_fee.get_member_fee": Op(),
    "api_member_fee.put_member_fee": Op(obj({"member_fee_kobo": KOBO}, ("member_fee_kobo",), closed=True)),
    # Dashboards (a super admin names the cooperative or member viewed)
    "api_super_admin_stats.dashboard_stats": Op(),
    "api_finance_stats.dashboard_stats": Op(),
    "api_apex_funds_stats.dashboard_stats": Op(),
    "api_nogalss_funds_stats.dashboard_stats": Op(),
    "api_apex_stats.dashboard_stats": Op(),
    "api_leader_stats.dashboard_stats": Op(query=COOPERATIVE_CHOICE),
    "api_cooperative_stats.dashboard_stats": Op(query=COOPERATIVE_CHOICE),
    "api_parent_org_stats.dashboard_stats": Op(query={"organization": ID}),
    "api_member_stats.dashboard_stats": Op(query=MEMBER_CHOICE),
    # Money
    "api_member.contribute": Op(obj({"amount_kobo": KOBO}, ("amount_kobo",)), status=201, success=STARTED),
    "api_member.apply_for_loan": Op(
        obj(
            {
                "amount_kobo": KOBO,
                "purpose": text(500),
                "duration_months": {"type": "integer", "minimum": 1, "maximum": 60},
            },
            ("amount_kobo", "purpose", "duration_months"),
        ),
        status=201,
    ),
    "api_member.repay_loan": Op(obj({"amount_kobo": KOBO}, ("amount_kobo",)), status=201, success=STARTED),
    "api_finance_withdrawals.record_repayment": Op(
        obj(
            {"amount_kobo": KOBO, "reference": text(64), "paid_on": text(10, format="date")},
            ("amount_kobo", "reference", "paid_on"),
        ),
        status=201,
    ),
    "api_member.request_withdrawal": Op(
        obj({"amount_kobo": KOBO, "reason": text(500)}, ("amount_kobo", "reason")), status=201
    ),
    "api_leader_loans.leader_approve": Op(obj({"notes": NOTES})),
    "api_leader_loans.leader_reject": Op(obj({"notes": NOTES})),
    "api_apex_loans.apex_decide": Op(obj({"status": enum_of(LoanStatus), "notes": NOTES}, ("status",))),
    "api_finance_withdrawals.list_withdrawals": Op(
        query={**PAGE_QUERY, "status": enum_of(WithdrawalStatus)}, success=PAGE
    ),
    "api_finance_withdrawals.decide_withdrawal": Op(DECISION),
    "api_finance_expenses.list_expenses": Op(query={**PAGE_QUERY, "status": enum_of(ExpenseStatus)}, success=PAGE),
    "api_finance_expenses.create_expense": Op(EXPENSE, status=201),
    "api_finance_expenses.update_expense": Op(EXPENSE),
    "api_finance_expenses.delete_expense": Op(status=204),
    # Payments
    "api_payments_user.initialize": Op(
        obj({"purpose": {"type": "string"}, "amount_kobo": KOBO}, ("purpose",)), status=201, success=STARTED
    ),
    "api_payments_user.verify": Op(obj({"reference": text(64)}, ("reference",))),
    "api_payments.verify_callback": Op(query={"reference": text(64), "trxref": text(64)}, public=True, redirect=True),
    "api_payments.webhook": Op(obj({"event": {"type": "string"}, "data": {"type": "object"}}), public=True),
    # Notifications
    "api_notifications.list_notifications": Op(query=PAGE_QUERY),
    # Drill-down, reports and statements (SPEC §4, §10): a period, the dashboard's scope choice, files by `format`.
    "api_figures.figure_json": Op(
        query={
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "cooperative": ID,
            "member": ID,
            "organization": ID,
            "month": text(7),
        }
    ),
    "api_reports.report_api": Op(
        query={**REPORT_PERIOD, "format": enum_of(("json", "csv", "xlsx", "pdf")), "cooperative": ID},
        produces=FILES,
    ),
    "api_statements.statement": Op(
        query={
            "from": text(10, format="date"),
            "to": text(10, format="date"),
            "format": enum_of(("json", "csv", "pdf")),
        },
        produces=("application/json", "text/csv", "application/pdf"),
    ),
    "api_notifications.mark_read": Op(obj({"id": ID, "all": {"type": "boolean"}})),
    # This document
    "api_docs.openapi": Op(),
}
