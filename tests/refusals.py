"""What the input checks of hacore/pacemaker/ids.py say when they refuse a value, as
regexes for `pytest.raises(match=...)`: they name the field and the check, whatever the
value was, so a test fails if another field or another check refused its input."""

from __future__ import annotations

import re


def bad_id(what: str) -> str:
    """check_id(value, what) refused the value: empty (or not a string), or not an id."""
    return rf"^{re.escape(what)} (must be a non-empty string$|.* is not a valid Pacemaker id:)"


def bad_name(what: str) -> str:
    """check_name(value, what) refused the value: empty, or not an attribute name."""
    return rf"^{re.escape(what)} (must be a non-empty string$|.* is not a valid attribute name$)"
