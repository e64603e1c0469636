"""The per-class JSON converters (hacore/pacemaker/tojson.py) and the parser's fast
ResourceStatus construction (status_resources._fast_new)."""

from __future__ import annotations

import dataclasses
import datetime
from enum import StrEnum

import pytest

from hacore.pacemaker.model import ResourceKind, ResourceStatus, Role
from hacore.pacemaker.status import parse_crm_mon
from hacore.pacemaker.status_resources import _fast_new
from hacore.pacemaker.tojson import converter
from hacore.pacemaker.xmlsafe import ParseError
from tests.crmmon import FIXTURES


class Colour(StrEnum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class Leaf:
    name: str
    when: datetime.datetime | None
    colour: Colour | None = None


@dataclasses.dataclass(frozen=True)
class Tree:
    only: int
    leaves: tuple[Leaf, ...]
    pairs: tuple[tuple[str, str], ...] = ()
    children: tuple[Tree, ...] = ()


def test_every_field_is_converted_by_its_type() -> None:
    when = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=datetime.UTC)
    tree = Tree(
        1,
        (Leaf("a", when, Colour.RED), Leaf("b", None)),
        (("k", "v"),),
        (Tree(2, ()),),
    )
    out = converter(Tree)(tree)
    assert out == {
        "only": 1,
        "leaves": [
            {"name": "a", "when": "2026-12-02T08:00:00+00:00", "colour": "red"},
            {"name": "b", "when": None, "colour": None},
        ],
        "pairs": [["k", "v"]],
        "children": [{"only": 2, "leaves": [], "pairs": [], "children": []}],
    }
    assert type(out["leaves"][0]["colour"]) is str


def test_a_type_it_cannot_convert_is_refused_when_first_seen() -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd:
        values: dict[str, int]

    with pytest.raises(TypeError, match="no JSON conversion"):
        converter(Odd)


def test_fast_new_makes_what_the_constructor_makes() -> None:
    fields: dict[str, object] = {
        "id": "a",
        "kind": ResourceKind.PRIMITIVE,
        "role": Role.STARTED,
        "active": True,
        "nodes": ("n1",),
    }
    made, built = _fast_new(**fields), ResourceStatus(**fields)  # type: ignore[arg-type]
    assert made == built
    assert hash(made) == hash(built)
    assert dataclasses.asdict(made) == dataclasses.asdict(built)
    with pytest.raises(dataclasses.FrozenInstanceError, match="active"):
        made.active = False  # type: ignore[misc]


def test_every_fixture_parses_to_what_the_constructor_would_build() -> None:
    paths = sorted((FIXTURES / "crm_mon").glob("*.xml"))
    checked = 0
    for path in paths:
        try:
            status = parse_crm_mon(path.read_bytes())
        except ParseError:
            continue  # the fixtures of refused documents
        for resource in status.all_resources():
            assert resource == ResourceStatus(**vars(resource)), path.name
            checked += 1
    assert checked > 100
