"""What the payment links and sandbox faults tests share: a signed-in merchant user, and
the error a refused form shows on one of its fields."""

from __future__ import annotations

import re

# A merchant's user of a role (owner unless told), signed in.
from tests.dashboard.test_developers import _owner as signed_in

__all__ = ["field_error", "signed_in"]


def field_error(html: str, field: str) -> str:
    """The message shown on the field, which the list at the top of the form links to."""
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error is not None, html
    assert f'<li><a href="#{field}">' in html
    assert f'id="{field}" name="{field}"' in html
    return error.group(1).replace("&#34;", '"')
