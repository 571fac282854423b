"""`homerun partners ...` and the demo partner of `homerun serve`, run as an operator would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.boarding.support import API, boarding_token
from tests.commands import homerun
from tests.ports import free_port
from tests.test_cli import printed, serving


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'homerun.db'}"


async def test_partners_rep_codes_and_clients_from_the_command_line(cli_db: str) -> None:
    code, out, err = await homerun(cli_db, "partners", "create", "Acme ISV")
    assert code == 0, err
    partner = json.loads(out)
    assert partner["name"] == "Acme ISV" and partner["partner_id"] == 1
    code, out, err = await homerun(
        cli_db, "partners", "create", "Acme East", "--parent-id", "1", "--signature-delay", "5"
    )
    assert code == 0, err
    assert json.loads(out)["parent_partner_id"] == 1
    assert json.loads(out)["signature_delay_seconds"] == 5
    code, out, err = await homerun(
        cli_db, "partners", "add-rep-code", "1", "ACME01", "--name", "Al"
    )
    assert code == 0, err
    assert json.loads(out)["rep_code"] == "ACME01"
    code, out, err = await homerun(cli_db, "partners", "add-client", "1")
    assert code == 0, err
    made = json.loads(out)
    assert made["audience"] == "boarding" and made["client_secret"] and made["partner_id"] == 1
    code, out, err = await homerun(cli_db, "partners", "add-client", "1", "--audience", "reporting")
    assert code == 0, err
    assert json.loads(out)["audience"] == "reporting"
    code, out, err = await homerun(cli_db, "partners", "list")
    assert code == 0, err
    listed = json.loads(out)
    assert [(p["partner_id"], p["rep_codes"]) for p in listed] == [(1, ["ACME01"]), (2, [])]


async def test_command_line_faults_are_one_line_errors(cli_db: str) -> None:
    code, _, err = await homerun(cli_db, "partners", "add-rep-code", "42", "ACME01")
    assert code == 1 and "partner 42 not found" in err and "Traceback" not in err
    code, _, err = await homerun(cli_db, "partners", "add-client", "1", "--audience", "payments")
    assert code == 1 and "audience" in err
    await homerun(cli_db, "partners", "create", "Acme")
    await homerun(cli_db, "partners", "add-rep-code", "1", "ACME01")
    code, _, err = await homerun(cli_db, "partners", "add-rep-code", "1", "ACME01")
    assert code == 1 and "already exists" in err


async def test_serve_prints_a_demo_partner_that_boards(cli_db: str, tmp_path: Path) -> None:
    port = free_port()
    async with serving(cli_db, port, tmp_path / "serve.log") as (_, lines, _):
        assert printed(lines, "demo partner").startswith("Homerun Demo Partner (partner_id ")
        rep_code = printed(lines, "rep_code")
        client_id = printed(lines, "client_id")
        client_secret = printed(lines, "client_secret")
        assert rep_code == "DEMO001" and client_id.startswith("boa_")
        curl = next(line for line in lines if "/ords/relay/oauth/token" in line)
        assert re.fullmatch(
            rf"curl -s http://127\.0\.0\.1:{port}/ords/relay/oauth/token "
            rf"-u '{client_id}:{re.escape(client_secret)}' -d grant_type=client_credentials",
            curl,
        ), curl
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            token = await boarding_token(http, client_id, client_secret)
            answer = await http.get(
                f"{API}/rep_codes", headers={"Authorization": f"Bearer {token}"}
            )
            assert [r["rep_code"] for r in answer.json()["items"]] == ["DEMO001"]
