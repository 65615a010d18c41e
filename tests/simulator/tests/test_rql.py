"""RQL parsing and matching, in process (the HTTP path is covered in test_aps.py)."""

from __future__ import annotations

import pytest

from simulator import rql
from simulator.aps_resources import ACCOUNT_TYPE, account_resource, bypass_resource

ACCOUNTS = [
    account_resource(f"a{n}", 1000000 + n, name) for n, name in enumerate(["Alpha", "beta", "O'Brien (Co), & Sons"])
]
RESOURCES = {r["aps"]["id"]: r for r in ACCOUNTS}
BYPASS = bypass_resource("b1", "tenant-1", ACCOUNTS[1])
RESOURCES["b1"] = BYPASS


def ids(query: str) -> list[str]:
    return [r["aps"]["id"] for r in rql.run(rql.parse(query), RESOURCES)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["a0", "a1", "a2", "b1"]),
        (f"implementing({ACCOUNT_TYPE})", ["a0", "a1", "a2"]),
        ("implementing(http://parallels.com/aps/types/pa/account/1.0)", ["a0", "a1", "a2"]),
        ("eq(id,1000001)", ["a1"]),
        ("eq(id,string:1000001)", []),
        ("eq(companyName,O%27Brien%20%28Co%29%2C%20%26%20Sons)", ["a2"]),
        ("eq(companyName,alpha)", []),
        ("like(companyName,AL*)", ["a0"]),
        ("in(id,(1000000,1000002))", ["a0", "a2"]),
        ("out(id,(1000000,1000002)),implementing(http://parallels.com/aps/types/pa/account/1.2)", ["a1"]),
        ("or(eq(id,1000000),eq(ms_tenant_id,tenant-1))", ["a0", "b1"]),
        ("not(implementing(http://parallels.com/aps/types/pa/account/1.2))", ["b1"]),
        ("and(gt(id,1000000),lt(id,1000002))", ["a1"]),
        ("linkedWith(a1)", ["b1"]),
        ("linkedWith(b1)", ["a1"]),
        ("eq(account.aps.id,a1)", ["b1"]),
        ("implementing(http://parallels.com/aps/types/pa/account/1.2)&sort(-id)", ["a2", "a1", "a0"]),
        (
            "sort(+companyName),select(id),implementing(http://parallels.com/aps/types/pa/account/1.2)",
            ["a0", "a2", "a1"],
        ),
    ],
)
def test_queries(query, expected):
    assert ids(query) == expected


def test_limit_is_parsed_not_applied_by_run():
    query = rql.parse("limit(5,20)")
    assert (query.start, query.count) == (5, 20)
    assert rql.parse("limit(3)").count is None


@pytest.mark.parametrize(
    "query", ["eq(id,1", "eq(id,1))", "frob(id,1)", "eq(id)", "limit(a,b)", "(a,b)", "justtext", "eq(id,1)&&x"]
)
def test_malformed_queries_are_refused(query):
    with pytest.raises(rql.RqlError):
        rql.parse(query)
