"""Valid sign-up data for the registration services, with some fields changed (the HTTP bodies add "kind")."""

from __future__ import annotations

PASSWORD = "Ada's-secret-passphrase-1"
LEADER_PASSWORD = "Ngozi's-leader-passphrase-2"


def member_data(coop, **overrides: object) -> dict:
    """A valid member sign-up for the cooperative, with some fields changed."""
    data = {
        "first_name": "Ada",
        "last_name": "Obi",
        "email": "ada.obi@example.test",
        "phone": "+234 803 123 4567",
        "password": PASSWORD,
        "cooperative_code": coop.registration_number,
    }
    return {**data, **overrides}


def cooperative_data(parent_id: int, **overrides: object) -> dict:
    """A valid cooperative sign-up under the parent organization, with some fields changed."""
    data = {
        "name": "Ikeja Artisans Cooperative",
        "registration_number": "LAG-IKJ-0042",
        "address": "12 Allen Avenue",
        "city": "Ikeja",
        "state": "Lagos",
        "phone": "08031234567",
        "email": "office@ikeja-artisans.example",
        "bank_name": "First Bank",
        "bank_account_number": "0123456789",
        "bank_account_name": "Ikeja Artisans Cooperative",
        "parent_organization_id": parent_id,
        "first_name": "Chidi",
        "last_name": "Eze",
        "contact_email": "chidi@ikeja-artisans.example",
        "password": PASSWORD,
        "leader_first_name": "Ngozi",
        "leader_last_name": "Okafor",
        "leader_email": "ngozi@ikeja-artisans.example",
        "leader_phone": "08039876543",
        "leader_password": LEADER_PASSWORD,
    }
    return {**data, **overrides}
