"""Frozen status dataclasses as JSON-able dicts, by converters built once per class.

What `dataclasses.asdict` and a conversion of enums and datetimes would give, made
from the classes' type hints when a class is first converted: fields whose type is
already JSON (str, int, bool, None and their unions) are read all at once by one
`operator.attrgetter`; only enums, datetimes, tuples and nested dataclasses are
converted field by field. On the 80-node crm_mon of bench/parse_diff.py this is
several times faster than a walk that inspects every value's type.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from collections.abc import Callable
from enum import Enum
from operator import attrgetter
from typing import Any

Convert = Callable[[Any], Any]

_JSON_TYPES = frozenset({str, int, float, bool, type(None)})
_CONVERTERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def converter(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The function turning an instance of the dataclass cls into a JSON-able dict."""
    found = _CONVERTERS.get(cls)
    if found is not None:
        return found
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    special: list[tuple[str, Convert]] = []
    plain = [name for name in names if _is_json(hints[name])]
    read_plain = _reader(plain)

    def convert(value: Any) -> dict[str, Any]:
        out = dict(zip(plain, read_plain(value), strict=True))
        for name, field_convert in special:
            out[name] = field_convert(getattr(value, name))
        return out

    _CONVERTERS[cls] = convert  # registered first: a class may hold itself (children)
    special.extend((name, _for_type(hints[name])) for name in names if name not in plain)
    return convert


def _reader(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of names, as one tuple (attrgetter gives a bare value for one name)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    if not names:
        return lambda value: ()
    return attrgetter(*names)


def _is_json(tp: Any) -> bool:
    """tp's values are JSON as they are: a JSON scalar type or a union of them."""
    if tp in _JSON_TYPES:
        return True
    return _is_union(tp) and all(arg in _JSON_TYPES for arg in typing.get_args(tp))


def _is_union(tp: Any) -> bool:
    return isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union


def _for_type(tp: Any) -> Convert:
    """The conversion of one value of type tp (not a plain JSON type)."""
    if _is_union(tp):
        others = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if len(others) != 1:
            raise TypeError(f"no JSON conversion for {tp}")
        inner = _for_type(others[0]) if not _is_json(others[0]) else None
        if inner is None:
            return _same
        return lambda value: None if value is None else inner(value)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {member: member.value for member in tp}.__getitem__
    if tp is datetime.datetime:
        return datetime.datetime.isoformat
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return converter(tp)
    if typing.get_origin(tp) is tuple:
        return _for_tuple(typing.get_args(tp))
    raise TypeError(f"no JSON conversion for {tp}")


def _for_tuple(args: tuple[Any, ...]) -> Convert:
    """tuple[X, ...] or tuple[X, Y]: a list, its items converted where they need it."""
    items = args[:1] if len(args) == 2 and args[1] is Ellipsis else args
    if all(_is_json(arg) for arg in items):
        return list
    if len(items) != 1:
        raise TypeError(f"no JSON conversion for tuple{list(args)}")
    inner = _for_type(items[0])
    return lambda value: [inner(item) for item in value]


def _same(value: Any) -> Any:
    return value
