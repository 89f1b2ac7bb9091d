"""Public pages: registration (member or cooperative, paid before the account exists) and the sandbox checkout.

The forms post plain HTML (CSRF token required, checked globally); services/registration.py validates and the
refusal comes back as inline field messages with what the visitor typed. A valid sign-up goes straight to the
gateway's checkout; the gateway's callback brings the visitor to the "registration complete" page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from wtforms import EmailField, Form, PasswordField, SelectField, StringField, TelField

from ...models import PaymentPurpose
from ...services import records_search, settings
from ...services.errors import NotFound, ServiceError
from ...services.fields import id_from_text
from ...services.passwords import MIN_PASSWORD_LENGTH
from ...services.payments import flow
from ..web import callback_url, current_gateway

bp = Blueprint("public", __name__)

PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters."
REGISTRATIONS = (PaymentPurpose.MEMBER_REGISTRATION, PaymentPurpose.COOPERATIVE_REGISTRATION)


class MemberForm(Form):
    """A member's sign-up: who they are and the code of the cooperative they join."""

    first_name = StringField("First name")
    last_name = StringField("Last name")
    email = EmailField("Email", description="You will sign in with this address.")
    phone = TelField("Phone", description="For example 08031234567 or +2348031234567.")
    password = PasswordField("Password", description=PASSWORD_HINT)
    cooperative_code = StringField("Cooperative code", description="Your cooperative's registration number.")


class CooperativeForm(Form):
    """A cooperative's sign-up: the cooperative, its bank account, its contact person and its leader."""

    name = StringField("Cooperative name")
    registration_number = StringField("Registration number", description="Members type this code to join.")
    parent_organization_id = SelectField("Parent organization", choices=[])
    address = StringField("Address")
    city = StringField("City")
    state = StringField("State")
    phone = TelField("Phone", description="For example 08031234567 or +2348031234567.")
    email = EmailField("Cooperative email")
    bank_name = StringField("Bank name")
    bank_account_number = StringField("Bank account number", description="10 digits.")
    bank_account_name = StringField("Bank account name")
    first_name = StringField("Contact person's first name")
    last_name = StringField("Contact person's last name")
    contact_email = EmailField(
        "Contact person's sign-in email", description="Leave empty to use the cooperative email."
    )
    password = PasswordField("Password", description=PASSWORD_HINT)
    leader_first_name = StringField("Leader's first name")
    leader_last_name = StringField("Leader's last name")
    leader_email = EmailField("Leader's sign-in email", description="The leader signs in with their own address.")
    leader_phone = TelField("Leader's phone", description="For example 08031234567 or +2348031234567.")
    leader_password = PasswordField("Leader's password", description=PASSWORD_HINT)


def checkout_redirect(authorization_url: str):
    """Send the browser to the checkout: a redirect on this site, else a page with a link.

    The page's CSP allows forms to post only to this site (`form-action 'self'`), which browsers also apply to
    the redirect that answers a form; so a gateway on another site is reached through a link instead.
    """
    target, here = urlsplit(authorization_url), urlsplit(request.host_url)
    if not target.netloc or (target.scheme, target.netloc) == (here.scheme, here.netloc):
        return redirect(authorization_url, 303)
    return render_template("public/continue.html", authorization_url=authorization_url)


def _parent_choices() -> list[tuple[str, str]]:
    """Return the active parent organizations as select options."""
    active = [org for org in records_search.all_parent_organizations() if org.is_active]
    return [("", "Choose…")] + [(str(org.id), org.name) for org in active]


def _member_data(form: MemberForm) -> dict:
    """Return the member sign-up fields as the service reads them."""
    return {name: form[name].data for name in ("first_name", "last_name", "email", "phone", "password")} | {
        "cooperative_code": form.cooperative_code.data
    }


def _cooperative_data(form: CooperativeForm) -> dict:
    """Return the cooperative sign-up fields as the service reads them (the parent id as a number)."""
    data = {name: field.data for name, field in form._fields.items()}
    data["parent_organization_id"] = id_from_text(data.get("parent_organization_id"))
    if not (data.get("contact_email") or "").strip():
        data["contact_email"] = None
    return data


def _register(kind: str, form: Form, data: dict, template: str, fee_kobo: int):
    """Start the sign-up and go to the checkout; on refusal re-render the form with inline messages."""
    try:
        started = flow.start_registration(current_gateway(), kind, data, callback_url=callback_url())
    except ServiceError as exc:
        for name, message in exc.fields.items():
            if name in form:
                form[name].errors = [message]
        return render_template(template, form=form, fee_kobo=fee_kobo, form_error=exc.message), exc.status
    return checkout_redirect(started.authorization_url)


@bp.get("/register")
def register():
    """Let the visitor choose: join a cooperative as a member, or register a cooperative."""
    return render_template("public/register.html", fees=settings.get_settings())


@bp.route("/register/member", methods=["GET", "POST"])
def register_member():
    """Show the member sign-up form; a valid one goes to the fee checkout."""
    form = MemberForm(request.form)
    fee = settings.get_settings().member_fee_kobo
    if request.method == "POST":
        return _register("member", form, _member_data(form), "public/register_member.html", fee)
    return render_template("public/register_member.html", form=form, fee_kobo=fee)


@bp.route("/register/cooperative", methods=["GET", "POST"])
def register_cooperative():
    """Show the cooperative sign-up form; a valid one goes to the fee checkout."""
    form = CooperativeForm(request.form)
    form.parent_organization_id.choices = _parent_choices()
    fee = settings.get_settings().cooperative_fee_kobo
    if request.method == "POST":
        return _register("cooperative", form, _cooperative_data(form), "public/register_cooperative.html", fee)
    return render_template("public/register_cooperative.html", form=form, fee_kobo=fee)


@bp.get("/register/complete")
def registration_complete():
    """Tell the visitor how their registration payment ended (and to sign in once it is paid)."""
    payment = flow.find_payment(request.args.get("reference"))
    if payment.purpose not in REGISTRATIONS:
        raise NotFound("No registration has this reference.")
    return render_template("public/complete.html", payment=payment)


@bp.get("/sandbox/checkout/<reference>")
def sandbox_checkout(reference: str):
    """Show the sandbox gateway's checkout: amount, purpose, email, and Pay / Decline."""
    gateway = current_gateway()
    payment = flow.sandbox_payment(gateway, reference)
    preview = flow.fee_preview(gateway, payment.amount_kobo)
    return render_template("public/checkout.html", payment=payment, preview=preview)


@bp.post("/sandbox/checkout/<reference>/pay")
def sandbox_pay(reference: str):
    """Pay at the sandbox: a signed charge.success goes through the webhook handler, then back to the callback."""
    payment = flow.sandbox_pay(current_gateway(), reference)
    return redirect(url_for("api_payments.verify_callback", reference=payment.reference), 303)


@bp.post("/sandbox/checkout/<reference>/decline")
def sandbox_decline(reference: str):
    """Decline at the sandbox: the payment fails, nothing is credited, then back to the callback."""
    payment = flow.sandbox_decline(current_gateway(), reference)
    return redirect(url_for("api_payments.verify_callback", reference=payment.reference), 303)
