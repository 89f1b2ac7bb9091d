"""`GET /api/openapi.json` (SPEC §5): served to signed-in users, OpenAPI 3.1, and it covers every JSON endpoint of
the URL map with a declared contract (a new endpoint without one fails here).
"""

from __future__ import annotations

import inspect
import re

import schemathesis

from nogalss_app.blueprints.api_docs import document
from nogalss_app.blueprints.api_docs.schemas import OPERATIONS
from nogalss_app.models import Role


def api_operations(app) -> set[tuple[str, str]]:
    """Return (endpoint, method) of every /api rule of the URL map."""
    return {
        (rule.endpoint, method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_the_document_is_served_to_signed_in_users_only(client, login_as):
    assert client.get("/api/openapi.json").status_code == 401
    login_as(Role.MEMBER)

    response = client.get("/api/openapi.json")

    assert response.status_code == 200 and response.get_json()["openapi"] == "3.1.0"


def test_every_api_rule_of_the_url_map_is_in_the_document(app):
    doc = document(app)
    documented = {
        (operation["operationId"].rsplit(".", 1)[0], method)
        for item in doc["paths"].values()
        for method, operation in item.items()
    }

    assert api_operations(app) <= documented
    assert len(documented) == sum(len(item) for item in doc["paths"].values())


def test_every_json_endpoint_has_a_declared_contract_and_no_declaration_is_stale(app):
    endpoints = {endpoint for endpoint, _ in api_operations(app)}

    assert endpoints - set(OPERATIONS) == set(), "declare these in blueprints/api_docs/schemas.py"
    assert set(OPERATIONS) - endpoints == set(), "these declarations name no endpoint"


def test_writes_document_their_body_errors_and_both_kinds_of_auth(app):
    doc = document(app)

    assert set(doc["components"]["securitySchemes"]) == {"session", "csrf", "bearer"}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert {"400", "401", "403", "404", "422", "503"} <= set(operation["responses"]), (path, method)
            if method in ("put", "patch") or (method == "post" and "{" not in path and "logout" not in path):
                assert "requestBody" in operation, (path, method)
    contribute = doc["paths"]["/api/member/contribute"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in contribute["parameters"]]
    assert "201" in contribute["responses"]


def test_the_document_loads_as_a_valid_openapi_schema(app):
    schema = schemathesis.openapi.from_dict(document(app))

    operations = [result.ok() for result in schema.get_all_operations()]

    assert len(operations) == len(api_operations(app))


def test_the_declared_success_status_is_the_one_the_view_returns(app):
    wrong = []
    for endpoint, op in OPERATIONS.items():
        source = inspect.getsource(inspect.unwrap(app.view_functions[endpoint]))
        returned = {int(code) for code in re.findall(r"\breturn\b[^\n]*,\s*(20[0-9])\s*$", source, re.MULTILINE)}
        if (returned or {200}) != {op.status} and not op.redirect:
            wrong.append((endpoint, op.status, returned))

    assert wrong == []
