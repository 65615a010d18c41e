"""customer against the simulator: create a tenant, the pre-checks, the admin credentials, a lost answer.

A test of several steps runs them as the tasks of one playbook (an ansible-playbook run costs about 1.5 s of
CPU, a task a tenth of that), reading the simulator's journal and state, and the files, after each step: each
step is asserted on its own requests and on what it left, as if it had run alone.
"""

import json
import os
import stat

from conftest import CONTOSO
from harness import run_tasks, sim_read, writes

NEW_DOMAIN = "tailspin-demo.onmicrosoft.com"
BILLING = {
    "email": "billing@tailspin-demo.example", "first_name": "Megan", "last_name": "Bowen",
    "phone_number": "+1 425 555 0100", "culture": "en-US", "language": "en",
    "address": {"address_line1": "One Microsoft Way", "city": "Redmond", "state": "WA", "postal_code": "98052",
                "country": "US"},
}
BAD_ADDRESS = dict(BILLING["address"], address_line1="1 Nowhere Lane", postal_code="99999")


def customer_task(domain="tailspin-demo", **options):
    spec = dict(domain=domain, company_name="Tailspin Toys", billing_profile=BILLING)
    spec.update(options)
    return {"csp.onboarding.customer": spec}


def customers(sim, domain=NEW_DOMAIN):
    return in_state(sim.state(), domain)


def in_state(state, domain=NEW_DOMAIN):
    """The customers with the default domain ``domain`` in a state of the simulator (``sim.state()``)."""
    return [c for c in state["partners"][0]["customers"] if c["domain"] == domain]


def creates(journal):
    return [e for e in journal if e["method"] == "POST" and e["path"] == "/v1/customers"]


def probe(expression):
    """A task whose result's ``msg`` is ``expression`` evaluated at that point of the play (kept out of the output)."""
    return {"ansible.builtin.debug": {"msg": expression}, "no_log": True}


def clear_faults(sim):
    """A task that does ``sim.clear_faults()`` at that point of the play."""
    return {"ansible.builtin.uri": {"url": "%s/_sim/faults" % sim.url, "method": "DELETE", "ca_path": sim.ca_path,
                                    "use_proxy": False, "status_code": 204}}


def test_create_then_rerun_unchanged(sim, env, tmp_path):
    path = str(tmp_path / "tailspin-admin.json")
    # The create, what it left (journal, state, the credentials file and its mode), then the re-run.
    (created, journal, state, written, mode, again, again_journal, again_state), output = run_tasks([
        dict(customer_task(admin_credentials_path=path), diff=True), sim_read(sim, "requests?clear=true"),
        sim_read(sim, "state"), probe("{{ lookup('ansible.builtin.file', '%s') }}" % path),
        probe("{{ lookup('ansible.builtin.pipe', 'stat -c %%a %s') }}" % path),
        customer_task(domain=NEW_DOMAIN.upper(), admin_credentials_path=path), sim_read(sim, "requests?clear=true"),
        sim_read(sim, "state")], env, args=["-vvvv"])
    journal, again_journal = journal["msg"]["requests"], again_journal["msg"]["requests"]
    state, again_state = state["msg"], again_state["msg"]
    assert (created["changed"], created["action"]) == (True, "created"), created.get("msg")
    assert len(creates(journal)) == 1 and len(writes(journal)) == 1
    # Read, then the pre-checks, then the create.
    calls = [(e["method"], e["path"]) for e in journal if e["api"] == "pc"]
    assert calls == [("GET", "/v1/customers"), ("GET", "/v1/validations/checkdomainavailability/tailspin-demo"),
                     ("POST", "/v1/validations/address"), ("POST", "/v1/customers")]
    (customer,) = in_state(state)
    assert created["customer"] == {"id": customer["id"], "company_name": "Tailspin Toys", "domain": NEW_DOMAIN,
                                   "relationship_to_partner": "reseller"}
    assert created["admin_user_name"] == "admin@" + NEW_DOMAIN
    assert created["admin_credentials_path"] == path
    assert created["diff"]["before"] == {}
    assert created["diff"]["after"]["billing_profile"]["address"]["country"] == "US"
    # The password: in the 0600 file, the simulator's own, and nowhere in the output.
    assert mode["msg"] == "600"
    credentials = json.loads(written["msg"])
    admin = [u for u in customer["users"] if u["user_principal_name"] == "admin@" + NEW_DOMAIN][0]
    assert credentials == {"user_name": "admin@" + NEW_DOMAIN, "password": admin["password"]}
    assert admin["password"] not in output and admin["password"] not in json.dumps(created)
    assert "not kept" not in output

    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert again["customer"]["id"] == customer["id"]
    assert writes(again_journal) == [] and len(in_state(again_state)) == 1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        assert json.load(handle) == credentials  # left alone


def test_check_mode_predicts_without_a_write(sim, env, tmp_path):
    path = str(tmp_path / "admin.json")
    (predicted, predicted_journal, predicted_state, file_made, created, _, after, after_journal), _ = run_tasks([
        dict(customer_task(admin_credentials_path=path), check_mode=True, diff=True),
        sim_read(sim, "requests?clear=true"), sim_read(sim, "state"), probe("{{ '%s' is exists }}" % path),
        dict(customer_task(admin_credentials_path=path), diff=True), sim_read(sim, "requests?clear=true"),
        dict(customer_task(), check_mode=True), sim_read(sim, "requests?clear=true")], env)
    assert (predicted["changed"], predicted["action"]) == (True, "created"), predicted.get("msg")
    assert writes(predicted_journal["msg"]["requests"]) == [] and in_state(predicted_state["msg"]) == []
    assert file_made["msg"] is False
    assert (created["changed"], created["action"]) == (predicted["changed"], predicted["action"])
    assert created["diff"] == predicted["diff"]
    assert (after["changed"], after["action"]) == (False, "unchanged")
    assert writes(after_journal["msg"]["requests"]) == []


def test_without_a_credentials_path_it_warns(sim, env):
    (created,), output = run_tasks([customer_task()], env)
    assert created["action"] == "created"
    assert any("not kept" in warning for warning in created["warnings"])
    (customer,) = customers(sim)
    password = [u for u in customer["users"] if u["user_principal_name"].startswith("admin@")][0]["password"]
    assert password not in output and password not in json.dumps(created)


def test_a_prefix_of_another_tenant_is_refused_before_any_write(sim, env):
    results, _ = run_tasks([dict(customer_task(domain="demopartner"), check_mode=check) for check in (True, False)],
                           env)
    for result in results:
        assert result["failed"] and "taken by another tenant" in result["msg"], result["msg"]
    assert writes(sim.journal()) == []
    assert len([e for e in sim.journal() if "checkdomainavailability/demopartner" in e["path"]]) == 2


def test_an_existing_customer_is_unchanged_with_only_its_domain(sim, env):
    (result,), _ = run_tasks([{"csp.onboarding.customer": {"domain": "contoso-demo"}}], env)
    assert (result["changed"], result["action"]) == (False, "unchanged"), result.get("msg")
    assert result["customer"]["id"] == CONTOSO
    assert [e["path"] for e in sim.journal() if e["api"] == "pc"] == ["/v1/customers"]


def test_an_invalid_address_is_refused_with_the_suggestion(sim, env):
    billing = dict(BILLING, address=BAD_ADDRESS)
    results, _ = run_tasks([dict(customer_task(billing_profile=billing), check_mode=check) for check in (True, False)],
                           env)
    for result in results:
        assert result["failed"] and "StreetPartial" in result["msg"], result["msg"]
        assert "One Microsoft Way, Redmond, WA, 98052, US" in result["msg"]
    assert writes(sim.journal()) == [] and customers(sim) == []


def test_a_lost_answer_converges_to_one_customer(sim, env, tmp_path):
    path = str(tmp_path / "admin.json")
    sim.set_faults({"rules": [{"fault": "lost_response", "count": 1, "method": "POST", "path": "^/v1/customers$"}]})
    (created,), output = run_tasks([customer_task(admin_credentials_path=path)], env)
    assert created["action"] == "created", created.get("msg")
    posts = creates(sim.journal())
    # The retry carried the same MS-RequestId and got the stored answer: one tenant, credentials kept.
    assert len(posts) == 2 and posts[0]["request_id"] == posts[1]["request_id"]
    (customer,) = customers(sim)
    with open(path) as handle:
        password = json.load(handle)["password"]
    assert password and password not in output


def test_an_answer_lost_past_every_retry_is_read_back(sim, env, tmp_path):
    path = str(tmp_path / "admin.json")
    sim.set_faults({"rules": [{"fault": "lost_response", "method": "POST", "path": "^/v1/customers$"}]})
    # The create, what it left, then (faults cleared, journal emptied) a re-run.
    (created, state, file_left, cleared, _, again, again_journal, again_state), _ = run_tasks([
        customer_task(admin_credentials_path=path, max_retries=1), sim_read(sim, "state"),
        probe("{{ '%s' is exists }}" % path), clear_faults(sim), sim_read(sim, "requests?clear=true"),
        customer_task(), sim_read(sim, "requests?clear=true"), sim_read(sim, "state")], env)
    assert created["action"] == "created", created.get("msg")
    (customer,) = in_state(state["msg"])
    assert created["customer"]["id"] == customer["id"]
    assert any("credentials were not received" in warning for warning in created["warnings"])
    assert file_left["msg"] is False  # the reserved file is removed: nothing was received to write
    assert cleared["status"] == 204, cleared.get("msg")
    assert again["action"] == "unchanged" and writes(again_journal["msg"]["requests"]) == []
    assert len(in_state(again_state["msg"])) == 1


def test_an_existing_credentials_file_fails_before_the_create(sim, env, tmp_path):
    path = tmp_path / "admin.json"
    path.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    results, _ = run_tasks([customer_task(admin_credentials_path=str(path)),
                            customer_task(admin_credentials_path=str(link)),
                            customer_task(admin_credentials_path=str(tmp_path / "no" / "such" / "dir.json"))], env)
    assert all(r["failed"] for r in results)
    assert "already exists" in results[0]["msg"] and "already exists" in results[1]["msg"]
    assert "does not exist" in results[2]["msg"]
    assert path.read_text() == "keep me" and not (tmp_path / "elsewhere.json").exists()
    assert writes(sim.journal()) == [] and customers(sim) == []


def test_bad_input_is_refused_before_any_write(sim, env):
    no_city = dict(BILLING, address=dict(BILLING["address"], city=None))
    partial = {"email": "billing@tailspin-demo.example", "address": {"country": "US"}}
    cases = [
        (customer_task(billing_profile=partial),
         ["billing_profile.first_name", "billing_profile.last_name", "billing_profile.phone_number",
          "billing_profile.address.address_line1", "billing_profile.address.city",
          "billing_profile.address.postal_code"]),
        (customer_task(billing_profile=no_city), ["billing_profile.address.city"]),
        (customer_task(company_name=None), ["company_name"]),
        (customer_task(billing_profile=dict(BILLING, address=dict(BILLING["address"], country="UK"))),
         ["billing_profile.address.country", "GB"]),
        (customer_task(billing_profile=dict(BILLING, address=dict(BILLING["address"], country="XX"))),
         ["ISO 3166-1"]),
        (customer_task(domain="-tailspin"), ["DNS label"]),
        (customer_task(domain="tail_spin"), ["DNS label"]),
        (customer_task(domain="tailspin.com"), ["initial domain"]),
        (customer_task(domain="a" * 64), ["DNS label"]),
        (customer_task(billing_profile=dict(BILLING, culture="english")), ["billing_profile.culture"]),
        (customer_task(billing_profile=dict(BILLING, language="english")), ["billing_profile.language"]),
        (customer_task(billing_profile=dict(BILLING, email="nobody")), ["billing_profile.email"]),
    ]
    results, _ = run_tasks([task for task, _ in cases], env)
    for result, (_task, words) in zip(results, cases):
        assert result["failed"], result
        for word in words:
            assert word in result["msg"], (word, result["msg"])
    assert writes(sim.journal()) == [] and customers(sim) == []


def test_a_new_customer_is_onboarded_in_the_same_play(sim, env, tmp_path):
    def tasks(first):
        """The onboarding tasks, the first of them registered as result_<first> (see harness.run_tasks)."""
        customer_id = "{{ result_%d.customer.id }}" % first
        return [
            customer_task(admin_credentials_path=str(tmp_path / "admin.json")),
            {"csp.onboarding.customer_agreement": {"customer_id": customer_id, "contact": {
                "first_name": "Megan", "last_name": "Bowen", "email": "megan.bowen@tailspin-demo.example"}}},
            {"csp.onboarding.verified_domain": {"customer_id": customer_id, "name": "tailspin-demo.example"}},
            {"csp.onboarding.customer_user": {"customer_id": customer_id,
                                              "user_principal_name": "alex@tailspin-demo.example",
                                              "first_name": "Alex", "last_name": "Wilber", "usage_location": "US",
                                              "password": "Initial-Passw0rd!"}},
        ]

    # The play, what it left, then the same play again: the credentials file exists now, which does not matter
    # for a customer that exists.
    played, _ = run_tasks(tasks(0) + [sim_read(sim, "state"), sim_read(sim, "requests?clear=true")] + tasks(6) +
                          [sim_read(sim, "requests?clear=true")], env)
    results, (state, _), again, (journal,) = played[:4], played[4:6], played[6:10], played[10:]
    assert [r.get("action", r.get("msg")) for r in results] == ["created"] * 4
    (customer,) = in_state(state["msg"])
    assert [a["type"] for a in customer["agreements"]] == ["MicrosoftCustomerAgreement"]
    assert [d["name"] for d in customer["custom_domains"]] == ["tailspin-demo.example"]
    assert "alex@tailspin-demo.example" in [u["user_principal_name"] for u in customer["users"]]
    assert [r.get("action", r.get("msg")) for r in again] == ["unchanged"] * 4
    assert writes(journal["msg"]["requests"]) == []
