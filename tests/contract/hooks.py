"""Credentials for the contract test's schemathesis run (SCHEMATHESIS_HOOKS=hooks).

Each request gets the credentials its operation's `security` names first: the admin
key as the whole `Authorization` header (`adminKey`), or a member's session as
`Authorization: Bearer` (`memberSession`). The run itself logs the member out,
revokes its sessions, blocks, re-emails or deletes it, so when a session stops
working the next request logs in again, and registers a new member when the old
one can no longer log in. Operations open to everyone (`{}` first) go without.
"""

import itertools
import json
import os
import re
import urllib.request
from pathlib import Path

from hypothesis import strategies as st

import schemathesis
from schemathesis import GenerationMode

BASE_URL = os.environ["CONTRACT_BASE_URL"]
ADMIN_KEY = os.environ["CONTRACT_ADMIN_KEY"]
PASSWORD = os.environ["CONTRACT_MEMBER_PASSWORD"]
_numbers = itertools.count(1)

# The country codes the server knows, read from the one list it keeps.
_INPUT_RS = Path(__file__).resolve().parents[2] / "src/model/input.rs"
COUNTRIES = re.search(r'const COUNTRY_CODES: &str = "([^"]+)"', _INPUT_RS.read_text()).group(1).split()
# The document names these standard formats; schemathesis learns them here.
schemathesis.openapi.format("iso-3166-1-alpha-2", st.sampled_from(COUNTRIES))
schemathesis.openapi.format(
    "iso-3166-2",
    st.builds(
        lambda country, local: f"{country}-{local}",
        st.sampled_from(COUNTRIES),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=3),
    ),
)
_member = {"email": os.environ["CONTRACT_MEMBER_EMAIL"], "token": None}


def _post(path, body):
    """POSTs JSON; returns (status, parsed body)."""
    request = urllib.request.Request(
        BASE_URL + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _member_token():
    """A live session of the member, logging in (or registering a new one) if needed."""
    if _member["token"] is None:
        credentials = {"email": _member["email"], "password": PASSWORD}
        status, body = _post("/members/v1/auth/login", credentials)
        if status != 200:
            _member["email"] = f"contract.{next(_numbers)}@example.com"
            credentials["email"] = _member["email"]
            status, body = _post("/members/v1/auth/register", credentials)
            assert status == 200, f"register answered {status}: {body}"
        _member["token"] = body["sessionToken"]
    return _member["token"]


def _scheme(case):
    """The first scheme of the operation's security requirements we hold, if any."""
    document = case.operation.schema.raw_schema
    requirements = case.operation.definition.raw.get("security", document.get("security", []))
    for requirement in requirements:
        if not requirement:
            return None
        for name in ("adminKey", "memberSession"):
            if name in requirement:
                return name
    return None


@schemathesis.auth(refresh_interval=None)
class ContractAuth:
    """The admin key or a member session, as the operation asks."""

    def get(self, case, context):
        scheme = _scheme(case)
        if scheme == "adminKey":
            return ADMIN_KEY
        if scheme == "memberSession":
            return f"Bearer {_member_token()}"
        return None

    def set(self, case, data, context):
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": data}


@schemathesis.hook
def after_call(context, case, response):
    """A session answered 401 has ended: the next request logs in again."""
    sent = response.request.headers.get("Authorization", "")
    if response.status_code == 401 and _member["token"] and sent == f"Bearer {_member['token']}":
        _member["token"] = None


@schemathesis.hook
def before_call(context, case, **kwargs):
    """A member cursor is minted by the server, signed and bound to its query, so
    a made-up one is refused (400, `paging.cursor`) however well-formed. Cases
    meant to be valid go without one; cursor paging itself is proved by the
    conformance and REST suites."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    call = case.operation.definition.raw.get("operationId")
    if call == "listMembers" and isinstance(case.query, dict):
        case.query.pop("paging.cursor", None)
    if call == "queryMembers" and isinstance(case.body, dict):
        paging = case.body.get("query", {}).get("paging") if isinstance(case.body.get("query"), dict) else None
        if isinstance(paging, dict) and isinstance(paging.get("cursor"), str):
            del paging["cursor"]
