"""What every view shares, once: the acting user, the JSON body, form outcomes and panel replies, the id converter.

- `current_actor()` builds the services' `Actor` from the session (or the bearer token's owner).
- `json_body()` / `only()` read a JSON object and keep the fields an endpoint takes; `page_json()` renders a list
  page the way every JSON list answers.
- `Outcome` is what a form post came to (a notice, or a refusal with what was typed and which form sent it);
  `refusal()` builds it from a ServiceError with the service's field names mapped to the form's (`renamed`).
- `panel_reply()` re-renders one dashboard panel with a form's outcome (status = the refusal's).
- `IdConverter` is the `<id:...>` URL converter: the services' one id rule, so an id beyond any row is a 404.
- `SafeRequest` is the app's request class: a JSON body that cannot be read safely (invalid UTF-8, nesting
  deeper than MAX_JSON_DEPTH, a parser that runs out of stack) is a 400 with the error shape, for every route.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask import Request, current_app, request, url_for
from flask_login import current_user
from werkzeug.routing import BaseConverter

from ..models import Role
from ..security import client_address, require_roles, resolve_scope
from ..services import idempotency, throttle
from ..services.actor import Actor
from ..services.errors import NotFound, ServiceError, ValidationFailed
from ..services.fields import MAX_AMOUNT_KOBO, id_from_text
from ..services.money import MoneyError, check_amount, parse_naira
from ..services.pages import Page
from ..services.payments import from_config
from ..services.payments.gateway import Gateway
from ..services.stats.registry import clean_options, find_panel
from .dashboards.render import render_panel

# Form fields never sent back to the browser after a refusal.
NOT_KEPT = frozenset({"password", "csrf_token"})


class Malformed(ServiceError):
    """The body is not the JSON object the endpoint expects (400)."""

    status = 400
    code = "bad_request"


# JSON bodies are flat objects (a list of ids at most); anything nested deeper than this is refused with 400
# before a view (or the error handler echoing it) could walk it.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Return True when a parsed JSON value nests deeper than `limit` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


class SafeRequest(Request):
    """The request class of the app: reading JSON never raises anything but a 400 (SPEC §5, BAD_INPUTS 26).

    The body must be strict UTF-8 (the json module would let the bytes of a lone surrogate through), parse within
    the interpreter's stack, and nest at most MAX_JSON_DEPTH deep. `silent` only forgives a body that is not
    declared as JSON (Flask's meaning); a body declared as JSON that cannot be read is a 400 either way.
    """

    _safe_json: Any = None
    _safe_json_read = False

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        """Return the parsed JSON body; None when silent and not JSON; Malformed (400) when unreadable."""
        if cache and self._safe_json_read:
            return self._safe_json
        if not (force or self.is_json):
            return None if silent else self.on_json_loading_failed(None)
        data = self._read_json(self.get_data(cache=cache))
        if cache:
            self._safe_json, self._safe_json_read = data, True
        return data

    def _read_json(self, raw: bytes) -> Any:
        """Decode and parse a body, refusing what cannot be read safely."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise Malformed("The JSON body could not be read: send valid UTF-8 JSON.") from None
        if json_depth_exceeds(data):
            raise Malformed(f"The JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
        return data


class IdConverter(BaseConverter):
    """`<id:name>`: a record id in a URL (ASCII digits); one beyond any row's (services.fields) becomes 0.

    0 names no row, so the service answers 404 whatever the method. Failing the match instead would make
    werkzeug answer 405 to every method but the first rule's.
    """

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        """Return the id, or 0 when the digits cannot name a row."""
        return id_from_text(value) or 0

    def to_url(self, value: object) -> str:
        """Write an id into a URL."""
        return str(int(value))


# The acting user, the request body ---------------------------------------------------------------------------


def current_actor() -> Actor:
    """Return the signed-in user (or the bearer token's owner) as the services' Actor."""
    return Actor.of(current_user)


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or refuse with 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Malformed("Send a JSON object with Content-Type: application/json.")
    return data


def optional_json_body() -> dict[str, Any]:
    """Return the JSON object sent, or an empty one when the request has no body."""
    return json_body() if request.get_data(cache=True) else {}


def only(data: Mapping[str, Any], names: Iterable[str], *, strict: bool = False) -> dict[str, Any]:
    """Keep the fields an endpoint takes; anything slipped in (role, status, user_id…) is dropped, or (strict) 422."""
    names = tuple(names)
    if strict:
        unknown = {str(name)[:64]: "unknown field" for name in data if name not in names}
        if unknown:
            raise ValidationFailed(f"Send only {', '.join(names)}.", unknown)
    return {name: data[name] for name in names if name in data}


def page_json(page: Page, serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """Return a list page as the JSON API answers it: items with paging metadata."""
    return {
        "items": [serialize(row) for row in page.rows],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def iso(value) -> str | None:
    """Return a datetime as ISO 8601 text."""
    return None if value is None else value.isoformat()


def roles_only(roles: Iterable[Role]) -> Callable:
    """Narrow one route to fewer roles than its blueprint admits (the guard of security.py, reused)."""
    guard = require_roles(roles)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return guard() or view(*args, **kwargs)

        return wrapper

    return decorate


# Idempotent creates -----------------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
# A plain form (no htmx, no live.js: a management page) carries the key as a hidden field rendered with the page,
# so a double submission or the browser resending the post is one request too; a new render brings a new key.
IDEMPOTENCY_FIELD = "idempotency_key"


def idempotent(view: Callable) -> Callable:
    """Make a create honour `Idempotency-Key` (SPEC §5; services.idempotency does the bookkeeping).

    Without the header the view runs as usual. With it, a retry by the same user with the same key and the same
    request (method, path, JSON body or form fields) gets the first answer (status, body and the headers a client
    acts on: content type, X-Live-V, HX-*, Location; plus `Idempotent-Replayed: true`) and creates nothing; the
    key with another request is a 422. Only a successful answer (2xx, or a 3xx after a plain form) is kept.
    Panel forms get the key from live.js, which rotates it once an answer arrived: a double click or a retry after
    a lost answer replays the panel the first post rendered. A plain form sends it as the `idempotency_key` field
    (see new_form_key): the same page posted twice gets the first redirect.
    """
    view.idempotent = True  # read by the OpenAPI document

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None and request.mimetype in FORM_TYPES:
            key = request.form.get(IDEMPOTENCY_FIELD) or None
        if key is None or not current_user.is_authenticated:
            return view(*args, **kwargs)
        found = idempotency.claim(current_user.id, key, request.endpoint or "", _request_hash())
        if isinstance(found, idempotency.Replay):
            replayed = current_app.response_class(found.body, status=found.status_code)
            replayed.headers["Content-Type"] = found.headers.get("Content-Type", "application/json")
            for name, value in found.headers.items():
                replayed.headers[name] = value
            replayed.headers["Idempotent-Replayed"] = "true"
            return replayed
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            with contextlib.suppress(Exception):  # e.g. the database went away: the claim is abandoned instead
                idempotency.release(found)
            raise
        if 200 <= response.status_code < 400:
            idempotency.complete(
                found, response.status_code, response.get_data(as_text=True), _replayed_headers(response)
            )
        else:
            idempotency.release(found)
        return response

    return wrapper


def new_form_key() -> str:
    """Return a fresh key for a plain form's hidden `idempotency_key` field (one per render of the form)."""
    return f"form-{uuid.uuid4()}"


def _replayed_headers(response) -> dict[str, str]:
    """Return the headers of an answer that a replay must give again (never cookies or timings)."""
    return {
        name: value
        for name, value in response.headers.items()
        if name.lower() in REPLAYED_HEADERS or name.lower().startswith("hx-")
    }


REPLAYED_HEADERS = frozenset({"content-type", "x-live-v", "location"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _request_hash() -> str:
    """Return a digest of what makes two requests "the same": method, path and the JSON body (key order aside)
    or the form's fields (the CSRF token aside: it may rotate between a post and its retry)."""
    if request.mimetype in FORM_TYPES:
        body: Any = sorted((name, value) for name, value in request.form.items(multi=True) if name != "csrf_token")
    else:
        body = request.get_json(silent=True) if request.get_data(cache=True) else None
    canonical = json.dumps([request.method, request.path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# Payments seen from the web ----------------------------------------------------------------------------------


def current_gateway() -> Gateway:
    """Return the gateway this app is configured for (Paystack with a key, else the sandbox)."""
    return from_config(current_app.config)


def public_base_url() -> str:
    """Return the origin of absolute links: PUBLIC_BASE_URL, else this server's own address (never the Host)."""
    config = current_app.config
    if config.get("PUBLIC_BASE_URL"):
        return config["PUBLIC_BASE_URL"].rstrip("/")
    host = config["HOST"] if config["HOST"] not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return f"http://{host}:{config['PORT']}"


def public_url(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of an endpoint under public_base_url(), whatever Host the request named."""
    return public_base_url() + url_for(endpoint, **values)


def callback_url() -> str:
    """Return the absolute URL the gateway sends the payer back to (SPEC §5: from PUBLIC_BASE_URL)."""
    return public_url("api_payments.verify_callback")


def count_registration() -> None:
    """Count a public sign-up from this client address; 429 past REGISTRATION_MAX_PER_CLIENT in the window."""
    config = current_app.config
    throttle.count_and_check(
        "registration",
        client_address(),
        limit=config["REGISTRATION_MAX_PER_CLIENT"],
        window_seconds=config["REGISTRATION_WINDOW_SECONDS"],
        message="Too many registrations from this address. Please wait a minute and try again.",
    )


# Forms: what a post came to ----------------------------------------------------------------------------------


def renamed(error: ServiceError, names: Mapping[str, str] | None) -> ServiceError:
    """Return the refusal with its field names mapped from the service's to the form's (amount_kobo → amount)."""
    if not error.fields or not names:
        return error
    return type(error)(error.message, {names.get(key, key): message for key, message in error.fields.items()})


@dataclass(frozen=True)
class Outcome:
    """What a form post came to: a notice, or a refusal with what was typed; `form_id` names the form sent."""

    notice: str | None = None
    error: ServiceError | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    form_id: str | None = None

    @property
    def status(self) -> int:
        """Return the HTTP status of the answer: the refusal's, else 200."""
        return self.error.status if self.error else 200

    def context(self) -> dict[str, Any]:
        """Return what the templates read: notice, form_error, field_errors and form_values (with form_id)."""
        values = dict(self.values)
        if self.form_id is not None:
            values["form_id"] = self.form_id
        return {
            "notice": self.notice,
            "form_error": self.error.message if self.error else None,
            "field_errors": dict(self.error.fields) if self.error else {},
            "form_values": values,
        }


def typed_values() -> dict[str, Any]:
    """Return what the user typed into the posted form (never a password or the CSRF token)."""
    return {name: value for name, value in request.form.items() if name not in NOT_KEPT}


def refusal(error: ServiceError, *, form_id: str | None = None, names: Mapping[str, str] | None = None) -> Outcome:
    """Return the outcome of a refused form: the refusal in the form's field names, with what was typed."""
    return Outcome(error=renamed(error, names), values=typed_values(), form_id=form_id)


def naira_field(form: Mapping[str, str], name: str, *, maximum_kobo: int | None = MAX_AMOUNT_KOBO) -> int:
    """Return the naira text of form field `name` as kobo (within the limit, unless the service checks it: None),
    or refuse with the field's message."""
    try:
        kobo = parse_naira(form.get(name))
        return kobo if maximum_kobo is None else check_amount(kobo, maximum_kobo=maximum_kobo)
    except MoneyError as exc:
        raise ValidationFailed("Check the amount.", {name: exc.message}) from None


# Dashboard panels answering a form ---------------------------------------------------------------------------


def panel_reply(dashboard: str, panel_name: str, outcome: Outcome | None = None, **extra: Any):
    """Re-render one panel for the poster's scope with a form's outcome (status = the refusal's, else 200).

    htmx 4 swaps error responses too, so the panel shows a refusal in place; `extra` adds what a panel's
    form shows beside its figures (the member's fee preview).
    """
    outcome = outcome or Outcome()
    panel = find_panel(dashboard, panel_name)
    scope = resolve_scope(dashboard, current_user, request.args)
    if panel is None or scope is None:
        raise NotFound("Not found.")
    scope = replace(scope, params=clean_options(panel, request.args))
    response = render_panel(dashboard, panel, scope, {**outcome.context(), **extra})
    if outcome.error is not None and response.status_code == 200:
        response.status_code = outcome.status
    return response


def answer(dashboard: str, panel: str, action: Callable[[], str], *, names: Mapping[str, str] | None = None):
    """Run a panel form's action; re-render the panel with its notice, or the refusal and what was typed."""
    try:
        notice = action()
    except ServiceError as exc:
        return panel_reply(dashboard, panel, refusal(exc, names=names, form_id=request.form.get("form_id")))
    return panel_reply(dashboard, panel, Outcome(notice=notice))


def optional_text(name: str) -> str | None:
    """Return a form field's text, or None when left empty."""
    value = request.form.get(name, "")
    return value if value.strip() else None
