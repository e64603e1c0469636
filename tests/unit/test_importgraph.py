"""Imports between the console's packages run downward only (tools/importgraph.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.importgraph import check, check_module


def test_the_repository_has_no_upward_sibling_or_view_import() -> None:
    assert [str(v) for v in check()] == []


def write(root: Path, relative: str, source: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


@pytest.mark.parametrize(
    ("relative", "source", "why"),
    [
        (
            "operations/x.py",
            "from clusters.models import Cluster\n",
            "clusters is above operations",
        ),
        ("hacore/x.py", "import nodes.models\n", "nodes is above hacore"),
        ("fencing/x.py", "from resources import changes\n", "resources is a sibling of fencing"),
        ("hacore/x.py", "from django.conf import settings\n", "must not use a web framework"),
        ("resources/api/x.py", "from hacore.runner import SshPool\n", "a view must call a service"),
        ("nodes/views.py", "from lxml import etree\n", "a view must call a service"),
    ],
)
def test_each_kind_of_violation_is_found(
    tmp_path: Path, relative: str, source: str, why: str
) -> None:
    [violation] = check_module(write(tmp_path, relative, source), tmp_path)
    assert why in violation.why


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("clusters/x.py", "from nodes.models import Node\nfrom operations import engine\n"),
        ("frontend/x.py", "from clusters.models import Cluster\nimport hacore.commands\n"),
        ("resources/reads.py", "from hacore.runner import Session\n"),  # not a view
        ("operations/x.py", "from operations.models import Operation\n"),
    ],
)
def test_downward_and_own_imports_pass(tmp_path: Path, relative: str, source: str) -> None:
    assert check_module(write(tmp_path, relative, source), tmp_path) == []
