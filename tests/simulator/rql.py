"""The subset of APS RQL the simulator serves (reference: cloudblue_aps_api.md §2, "RQL").

Parsed from the raw query string: the punctuation ``( ) ,`` structures the query, and values arrive
with RQL's reserved characters percent-encoded, so each value is percent-decoded once, after the
structure is known (never ``+`` -> space: this is not form encoding).

Served: ``and or not eq ne lt le gt ge in out like implementing linkedWith`` (filters), ``sort``,
``limit`` and ``select`` (accepted; the full resources are returned). Top-level terms are ANDed.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote

from . import aps_resources

Resource = dict[str, Any]
Resources = dict[str, Resource]  # lower-cased aps.id -> resource, for linkedWith


class RqlError(ValueError):
    pass


@dataclass
class Call:
    name: str
    args: list[Any]  # Call, str (a decoded value) or list (an array "(a,b)")


@dataclass
class Query:
    filters: list[Call] = field(default_factory=list)
    sort: list[str] = field(default_factory=list)
    start: int = 0
    count: int | None = None  # None = as many as the server allows


_TOKEN = re.compile(r"[(),&]|[^(),&]+")  # a raw "&" separates top-level terms like ","


def parse(query_string: str) -> Query:
    tokens = _TOKEN.findall(query_string)
    position = 0

    def parse_args() -> list[Any]:
        nonlocal position
        args: list[Any] = []
        if position < len(tokens) and tokens[position] == ")":
            position += 1
            return args
        while True:
            args.append(parse_term(inside_call=True))
            if position >= len(tokens):
                raise RqlError("unbalanced parentheses")
            separator = tokens[position]
            position += 1
            if separator == ")":
                return args

    def parse_term(inside_call: bool) -> Any:
        nonlocal position
        if position >= len(tokens):
            raise RqlError("unexpected end of query")
        token = tokens[position]
        position += 1
        if token == "(":
            if not inside_call:
                raise RqlError("a bare array is not a query term")
            return parse_args()  # an array value: in(prop,(a,b))
        if token in {")", ",", "&"}:
            raise RqlError(f"unexpected {token!r}")
        if position < len(tokens) and tokens[position] == "(":
            position += 1
            return Call(token, parse_args())
        if not inside_call:
            raise RqlError(f"{unquote(token)!r} is not a query term")
        return unquote(token)

    query = Query()
    while position < len(tokens):
        if tokens[position] in {",", "&"}:
            position += 1
            continue
        term = parse_term(inside_call=False)
        _add_top_level(query, term)
    return query


def _add_top_level(query: Query, term: Call) -> None:
    if term.name == "limit":
        if not 1 <= len(term.args) <= 2 or not all(isinstance(arg, str) and arg.isdigit() for arg in term.args):
            raise RqlError("limit(start[,count]) takes non-negative integers")
        query.start = int(term.args[0])
        query.count = int(term.args[1]) if len(term.args) == 2 else None
    elif term.name == "sort":
        query.sort = [str(arg) for arg in term.args]
    elif term.name == "select":
        pass  # Assumed: accepted, and every property is returned anyway (a superset of the selection)
    else:
        _check(term)
        query.filters.append(term)


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
_ARITY = {"implementing": 1, "linkedWith": 1, "like": 2, "in": 2, "out": 2, "not": 1, **dict.fromkeys(_COMPARISONS, 2)}


def _check(term: Any) -> None:
    if not isinstance(term, Call):
        raise RqlError(f"{term!r} is not a query term")
    if term.name in ("and", "or"):
        for arg in term.args:
            _check(arg)
        return
    if term.name not in _ARITY:
        raise RqlError(f"unknown RQL operator {term.name}")
    if len(term.args) != _ARITY[term.name]:
        raise RqlError(f"{term.name} takes {_ARITY[term.name]} argument(s)")
    if term.name == "not":
        _check(term.args[0])


def _property(resource: Resource, path: str) -> Any:
    """``aps.id`` or a link path such as ``account.aps.id``; None when any step is missing."""
    value: Any = resource
    for step in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _typed(resource_value: Any, query_value: str) -> Any:
    """The query value converted to the property's type (RQL values are untyped text).

    ``string:`` forces text; numbers compare as numbers, ``true``/``false`` as booleans, ``null`` as None.
    Assumed, undocumented: string comparison is exact, so case-sensitive.
    """
    if query_value.startswith("string:"):
        return query_value[len("string:") :]
    if query_value == "null":
        return None
    if isinstance(resource_value, bool):
        return {"true": True, "false": False}.get(query_value, query_value)
    if isinstance(resource_value, (int, float)):
        try:
            return float(query_value) if "." in query_value else int(query_value)
        except ValueError:
            return query_value
    return query_value


def _implements(resource: Resource, wanted_type: str) -> bool:
    """Same type, same major version, a minor version at least the one asked for.

    Assumed, undocumented: this is how APS resolves a versioned type id (its compatibility rule).
    """
    if wanted_type == aps_resources.CORE_RESOURCE_TYPE:
        return True
    have_base, have_version = aps_resources.split_type(resource["aps"]["type"])
    want_base, want_version = aps_resources.split_type(wanted_type)
    if have_base != want_base:
        return False
    if want_version is None or have_version is None:
        return True
    return have_version[0] == want_version[0] and have_version[1] >= want_version[1]


def _linked(resource: Resource, other_id: str, resources: Resources) -> bool:
    """Linked in either direction: ``resource`` links to ``other_id``, or that resource links here."""
    other_id = other_id.lower()
    if any(aps_resources.is_link(value) and value["aps"]["id"].lower() == other_id for value in resource.values()):
        return True
    other = resources.get(other_id)
    own_id = resource["aps"]["id"].lower()
    return other is not None and any(
        aps_resources.is_link(value) and value["aps"]["id"].lower() == own_id for value in other.values()
    )


def matches(term: Call, resource: Resource, resources: Resources) -> bool:
    name, args = term.name, term.args
    if name == "and":
        return all(matches(arg, resource, resources) for arg in args)
    if name == "or":
        return any(matches(arg, resource, resources) for arg in args)
    if name == "not":
        return not matches(args[0], resource, resources)
    if name == "implementing":
        return _implements(resource, args[0])
    if name == "linkedWith":
        return _linked(resource, args[0], resources)
    value = _property(resource, args[0])
    if name in ("in", "out"):
        options = args[1] if isinstance(args[1], list) else [args[1]]
        found = any(value == _typed(value, str(option)) for option in options)
        return found if name == "in" else not found
    if name == "like":
        return isinstance(value, str) and fnmatch.fnmatchcase(value.lower(), str(args[1]).lower())
    wanted = _typed(value, str(args[1]))
    try:
        return _COMPARISONS[name](value, wanted)
    except TypeError:  # e.g. lt between text and a number, or a missing property
        return False


def run(query: Query, resources: Resources) -> list[Resource]:
    """Every resource the filters select, in creation order or as ``sort`` says (before limit)."""
    selected = [
        resource for resource in resources.values() if all(matches(term, resource, resources) for term in query.filters)
    ]
    for key in reversed(query.sort):  # stable sorts, least significant key first
        descending = key.startswith("-")
        path = key.lstrip("+-")
        present = [r for r in selected if _property(r, path) is not None]
        missing = [r for r in selected if _property(r, path) is None]
        present.sort(key=lambda r: _property(r, path), reverse=descending)
        selected = present + missing
    return selected
