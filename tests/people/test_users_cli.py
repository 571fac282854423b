"""`homerun users ...` and the demo sign-ins of `homerun serve`, run as an operator would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.commands import homerun
from tests.dashboard.support import csrf_of
from tests.processes import db_url
from tests.test_cli import free_port, printed, serving

__all__ = ["db_url"]  # the fixture, from tests/processes.py

LINK = re.compile(r"^(invitation|reset link)\s+(http://127\.0\.0\.1:8000/dashboard/welcome/\S+)$")


async def _link(db_url: str, *args: str) -> str:
    code, out, err = await homerun(db_url, "users", *args)
    assert code == 0, err
    found = LINK.match(out.strip())
    assert found is not None, out
    return found.group(2)


async def test_users_create_invite_list_set_role_reset_and_disable(db_url: str) -> None:
    code, out, _ = await homerun(db_url, "merchants", "create", "Users Store")
    mid = json.loads(out)["mid"]
    invitation = await _link(db_url, "create", "Pat@Example.com", "--role", "support", "--mid", mid)
    assert invitation.startswith("http://127.0.0.1:8000/dashboard/welcome/")
    await _link(db_url, "create", "ops@example.com", "--role", "operator")
    again = await _link(db_url, "invite", "pat@example.com")
    reset = await _link(db_url, "reset", "pat@example.com")
    assert len({invitation, again, reset}) == 3

    code, out, _ = await homerun(db_url, "users", "list", "--mid", mid)
    assert code == 0
    assert json.loads(out) == [
        {
            "email": "pat@example.com",
            "tenant": "merchant",
            "merchant_id": 1,
            "partner_id": None,
            "role": "support",
            "disabled": False,
            "totp": False,
            "invited": True,
            "last_sign_in_at": None,
        }
    ]
    code, out, _ = await homerun(db_url, "users", "set-role", "pat@example.com", "viewer")
    assert (code, json.loads(out)["role"]) == (0, "viewer")
    code, _, err = await homerun(db_url, "users", "set-role", "pat@example.com", "operator")
    assert (code, err.strip()) == (1, "error: role: a merchant user cannot be operator")
    code, _, err = await homerun(
        db_url, "users", "create", "pat@example.com", "--role", "owner", "--mid", mid
    )
    assert (code, err.strip()) == (1, "error: email: a user with that email exists")
    code, _, err = await homerun(db_url, "users", "create", "x@example.com", "--role", "boss")
    assert code == 1 and err.startswith("error: role: must be one of owner, admin")
    code, out, _ = await homerun(db_url, "users", "totp", "pat@example.com")
    assert code == 0 and re.search(r"^totp secret\s+[A-Z2-7]{32}$", out, re.M)
    codes = re.search(r"^recovery codes\s+(.+)$", out, re.M)
    assert codes is not None and len(codes.group(1).split()) == 10
    code, out, _ = await homerun(db_url, "users", "disable", "pat@example.com")
    assert (code, json.loads(out)["disabled"]) == (0, True)
    code, _, err = await homerun(db_url, "users", "reset", "pat@example.com")
    assert (code, err.strip()) == (1, "error: the user is disabled")
    code, _, err = await homerun(db_url, "users", "reset", "nobody@example.com")
    assert (code, err.strip()) == (1, "error: no user with that email")


async def test_serve_prints_demo_sign_ins_that_work(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    async with serving(db_url, port, tmp_path / "serve.log") as (_, lines, _):
        assert printed(lines, "dashboard") == f"http://127.0.0.1:{port}/dashboard"
        owner = re.fullmatch(
            r"(\S+)  password (\S+)  \(shown once\)", printed(lines, "merchant owner")
        )
        partner = re.fullmatch(
            r"(\S+)  password (\S+)  \(shown once\)", printed(lines, "partner admin")
        )
        assert owner is not None and partner is not None
        assert owner.group(1) == "owner@demo-store.example"
        assert partner.group(1) == "admin@demo-partner.example"
        for email, password, tenant in (
            (*owner.groups(), "Homerun Demo Store"),
            (*partner.groups(), "Homerun Demo Partner"),
        ):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                form = await http.get("/")
                assert form.status_code == 303
                page = await http.get("/dashboard/sign-in")
                signed = await http.post(
                    "/dashboard/sign-in",
                    data={"csrf": csrf_of(page.text), "email": email, "password": password},
                )
                assert signed.headers["location"] == "/dashboard", signed.text
                home = await http.get("/dashboard")
                assert home.status_code == 200 and f'<p class="tenant">{tenant}</p>' in home.text
