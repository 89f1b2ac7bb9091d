"""Payment tests: a fake Paystack HTTP server on loopback (and its `paystack` fixture), signed webhooks, the sandbox."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Contribution, Payment
from nogalss_app.services.payments.gateway import sandbox_secret, sign
from tests.support.client import send

SECRET = "sk_test_fake_paystack_secret_0123456789"


@dataclass
class Seen:
    """One request the fake server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None


@dataclass
class FakePaystack:
    """A Paystack stand-in: answers initialize and verify; `mode` makes it misbehave on purpose."""

    url: str = ""
    # ok | wrong_amount | wrong_currency | failed | reversed | abandoned | ongoing | error_500 | slow | garbage |
    # other_reference
    mode: str = "ok"
    paid: dict[str, tuple[int, str]] = field(default_factory=dict)  # reference → (amount, currency) initialized
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, body: dict | None) -> tuple[int, bytes]:
        """Return (status, body) for one request."""
        if self.mode == "error_500":
            return 500, b'{"status": false, "message": "Internal error"}'
        if self.mode == "slow":
            time.sleep(2)
        if self.mode == "garbage":
            return 200, b"<html>not json</html>"
        if method == "POST" and path == "/transaction/initialize":
            with self.lock:
                self.paid[body["reference"]] = (body["amount"], body["currency"])
            data = {"authorization_url": f"https://checkout.paystack.test/{body['reference']}", "access_code": "ac"}
            return 200, json.dumps({"status": True, "message": "Authorization URL created", "data": data}).encode()
        if method == "GET" and path.startswith("/transaction/verify/"):
            return 200, json.dumps({"status": True, "message": "Verified", "data": self._verified(path)}).encode()
        return 404, b'{"status": false, "message": "Not found"}'

    def _verified(self, path: str) -> dict:
        """Return the `data` of a verify answer, bent by the mode."""
        reference = path.rsplit("/", 1)[1]
        amount, currency = self.paid.get(reference, (0, "NGN"))
        data = {"reference": reference, "status": "success", "amount": amount, "currency": currency}
        if self.mode == "wrong_amount":
            data["amount"] = amount - 100
        elif self.mode == "wrong_currency":
            data["currency"] = "USD"
        elif self.mode in ("failed", "reversed", "abandoned", "ongoing"):
            data["status"] = self.mode
        elif self.mode == "other_reference":
            data["reference"] = "SOMEONE-ELSES-REFERENCE"
        return data


def _handler(fake: FakePaystack) -> type[BaseHTTPRequestHandler]:
    """Build the request handler class bound to one fake."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            with fake.lock:
                fake.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
            status, payload = fake.answer(self.command, self.path, body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:
            """Keep the test output quiet."""

    return Handler


class _FakeServer(ThreadingHTTPServer):
    """A threading HTTP server with a real listen backlog: tests fire a dozen calls at one moment."""

    request_queue_size = 128


@contextmanager
def fake_paystack_server():
    """Run a FakePaystack on 127.0.0.1 (a real socket) in a thread; yield it."""
    fake = FakePaystack()
    server = _FakeServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def paystack_configured(app):
    """Configure the app for Paystack against a fake server on loopback; restore the sandbox afterwards."""
    saved = {
        key: app.config.get(key) for key in ("PAYSTACK_SECRET_KEY", "PAYSTACK_BASE_URL", "PAYSTACK_TIMEOUT_SECONDS")
    }
    with fake_paystack_server() as fake:
        app.config.update(PAYSTACK_SECRET_KEY=SECRET, PAYSTACK_BASE_URL=fake.url, PAYSTACK_TIMEOUT_SECONDS=1)
        try:
            yield fake
        finally:
            app.config.update(saved)


@pytest.fixture
def paystack(app):
    """The app talks to a fake Paystack on loopback during the test; yields the fake."""
    with paystack_configured(app) as fake:
        yield fake


def sandbox_signature(app, body: bytes) -> str:
    """Sign a webhook body as the sandbox gateway of this app does."""
    return sign(body, sandbox_secret(app.config["SECRET_KEY"]))


def charge_success(reference: str, amount_kobo: int, currency: str = "NGN", status: str = "success") -> bytes:
    """Return a Paystack-style charge.success webhook body."""
    data = {"reference": reference, "amount": amount_kobo, "currency": currency, "status": status}
    return json.dumps({"event": "charge.success", "data": data}).encode()


def post_webhook(client, body: bytes, signature: str | None):
    """Deliver a webhook as the gateway does (raw JSON body, signature header, no CSRF token)."""
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["x-paystack-signature"] = signature
    return client.post("/api/payments/webhook", data=body, headers=headers)


def start_contribution(client, amount_kobo: int = 2_500_00) -> dict:
    """Open a contribution for the signed-in member through the JSON API; return the answer."""
    response = send(client, "POST", "/api/member/contribute", {"amount_kobo": amount_kobo})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def checkout_path(authorization_url: str) -> str:
    """Return the path of a sandbox checkout URL."""
    return urlsplit(authorization_url).path


def press(client, reference: str, button: str):
    """Press Pay or Decline on the sandbox checkout page (with the page's CSRF token)."""
    return client.post(f"/sandbox/checkout/{reference}/{button}", data={"csrf_token": client.csrf_token})


def payment(reference: str) -> Payment:
    """Return the payment as the database holds it now."""
    db.session.rollback()
    return db.session.scalar(sa.select(Payment).where(Payment.reference == reference))


def contributions_of(user_id: int) -> list[int]:
    """Return the amounts of the user's Contribution rows."""
    db.session.rollback()
    return list(db.session.scalars(sa.select(Contribution.amount_kobo).where(Contribution.user_id == user_id)))
