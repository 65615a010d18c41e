# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""customer_users: one user's exception of any kind is that user's failure; the others' outcomes are kept.

The simulator cannot answer a create with an empty 2xx body or raise a bug in the client, so the client here is an
in-memory stand-in for PartnerCenterClient (no HTTP is mocked).
"""

from ansible_collections.csp.onboarding.plugins.module_utils._module import CspTask
from ansible_collections.csp.onboarding.plugins.module_utils._users import ensure_users

CUSTOMER = "c0000002-0000-4000-8000-000000000002"
DOMAIN = "fabrikam.example"


class MemoryClient(object):
    def __init__(self):
        self.users = {}

    def list_users(self, customer_id, deleted=False):
        return [] if deleted else list(self.users.values())

    def get_customer(self, customer_id):
        return {"id": customer_id, "companyProfile": {"domain": DOMAIN}, "customDomains": [DOMAIN]}

    @staticmethod
    def customer_domain_names(customer):
        return set(customer["customDomains"])

    def custom_domain_names(self, customer_id):
        return set([DOMAIN])

    def find_user(self, customer_id, upn):
        return self.users.get(upn.lower())

    def create_user(self, customer_id, body):
        upn = body["userPrincipalName"]
        if upn.startswith("bug"):
            raise KeyError("a bug in the client")
        user = {"id": "id-" + upn, "userPrincipalName": upn, "firstName": body.get("firstName"), "state": "active"}
        self.users[upn.lower()] = user
        if upn.startswith("empty"):
            return None  # answered 2xx with an empty or unreadable body, after writing the user
        return user


class Task(object):
    check_mode = False
    diff = True
    bulk_outcome = CspTask.bulk_outcome

    def __init__(self, params):
        self.params = params
        self.client = MemoryClient()


def params(upns):
    return dict(customer_id=CUSTOMER, users=[dict(user_principal_name="%s@%s" % (upn, DOMAIN), first_name="F",
                                                  password="Passw0rd!") for upn in upns],
                update_password="on_create", restore=True, purge=False, purge_all=False, purge_exclude=[],
                concurrency=2, expected_domains=[])


def test_a_bug_or_an_empty_create_answer_fails_only_that_user():
    task = Task(params(["ok", "bug", "empty"]))
    result = ensure_users(task)
    assert sorted(result["created"]) == ["empty@%s" % DOMAIN, "ok@%s" % DOMAIN]
    assert [(f["user_principal_name"], f["msg"]) for f in result["failed_users"]] == [
        ("bug@%s" % DOMAIN, "KeyError: 'a bug in the client'")]
    # The empty answer was read back: the returned user is the one written.
    assert [u["id"] for u in result["users"] if u.get("user_principal_name") == "empty@%s" % DOMAIN] == [
        "id-empty@%s" % DOMAIN]
    assert sorted(d["after_header"] for d in result["diff"]) == sorted(result["created"])
    assert all("password" not in d["after"] for d in result["diff"])
