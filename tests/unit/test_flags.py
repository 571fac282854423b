"""Flags (kit/flags.py): every form of ruling R4, and what is not a flag."""

from __future__ import annotations

from typing import Any

import pytest

from homerun.kit.flags import FlagError, parse_flag, yn
from homerun.payments.schemas import ChargeRequest

TRUE_FORMS: list[Any] = ["Y", "y", "true", "TRUE", "True", True, "1", 1, " Y ", "yes", "t"]
FALSE_FORMS: list[Any] = ["N", "n", "false", "FALSE", "False", False, "0", 0, " n ", "no", "f"]


@pytest.mark.parametrize("value", TRUE_FORMS)
def test_true_forms(value: Any) -> None:
    assert parse_flag(value) is True


@pytest.mark.parametrize("value", FALSE_FORMS)
def test_false_forms(value: Any) -> None:
    assert parse_flag(value) is False


@pytest.mark.parametrize(
    "value",
    [None, "maybe", "2", 2, -1, 1.0, 0.0, "Y N", "yess", "on", [], {}, ["Y"], b"Y"],
)
def test_what_is_not_a_flag(value: Any) -> None:
    with pytest.raises(FlagError, match="must be a flag"):
        parse_flag(value)


def test_flag_error_is_a_value_error() -> None:
    assert issubclass(FlagError, ValueError)  # pydantic turns it into a field error


def test_yn_answers_in_the_docs_form() -> None:
    assert (yn(True), yn(False), yn(None)) == ("Y", "N", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(v, True) for v in TRUE_FORMS] + [(v, False) for v in FALSE_FORMS],
)
def test_every_form_works_on_the_wire(value: Any, expected: bool) -> None:
    """The same forms through a request model (capture, vault, cof_sched, cof_perm)."""
    request = ChargeRequest.model_validate(
        {
            "mid": "800000001780",
            "amount": 100,
            "capture": value,
            "vault": value,
            "cof_sched": value,
            "cof_perm": value,
        }
    )
    assert (request.capture, request.vault, request.cof_sched, request.cof_perm) == (
        expected,
        expected,
        expected,
        expected,
    )


def test_flag_defaults_on_the_wire() -> None:
    request = ChargeRequest.model_validate({"mid": "800000001780", "amount": 100})
    assert (request.capture, request.vault, request.cof_sched, request.cof_perm) == (
        True,
        False,
        None,
        None,
    )
