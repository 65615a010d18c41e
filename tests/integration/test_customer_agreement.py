"""customer_agreement against the simulator: the Microsoft Customer Agreement attestation.

A test of several steps runs them as the tasks of one playbook (an ansible-playbook run costs about 1.5 s of
CPU, a task a tenth of that), with reads of the simulator's journal and state between the steps: each step is
asserted on its own requests and on the state it left, as if it had run alone.
"""

import datetime

from conftest import CONTOSO, FABRIKAM
from harness import connection_env, run_tasks, sim_read, writes

MCA_TEMPLATE = "117a69e1-8f0f-4e7e-a7a7-1f4f63a3f5c9"
CONTACT = {"first_name": "Megan", "last_name": "Bowen", "email": "megan.bowen@contoso-demo.example",
           "phone_number": "+1 425 555 0100"}


def agreement_task(customer_id=CONTOSO, **options):
    spec = dict(customer_id=customer_id, contact=CONTACT)
    spec.update(options)
    return {"csp.onboarding.customer_agreement": spec}


def agreements(sim, customer_id=CONTOSO, state=None):
    """The customer's agreements in ``state`` (default: the simulator's state now)."""
    customer = [c for c in (state or sim.state())["partners"][0]["customers"] if c["id"] == customer_id][0]
    return customer["agreements"]


JOURNAL, STATE = "requests?clear=true", "state"


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def test_attest_then_rerun_unchanged(sim, env):
    # The attestation; two re-runs in check mode, another contact and none; a real re-run.
    played, _ = run_tasks([
        dict(agreement_task(), diff=True), sim_read(sim, JOURNAL), sim_read(sim, STATE),
        dict(agreement_task(contact=dict(CONTACT, email="someone@contoso-demo.example")), check_mode=True),
        {"csp.onboarding.customer_agreement": {"customer_id": CONTOSO}, "check_mode": True}, sim_read(sim, JOURNAL),
        agreement_task(), sim_read(sim, JOURNAL), sim_read(sim, STATE)], env)
    created, journal, state = played[:3]
    checked, again, again_journal, again_state = played[3:5], played[6], played[7], played[8]
    assert (created["changed"], created["action"]) == (True, "created"), created.get("msg")
    expected = {"template_id": MCA_TEMPLATE, "date_agreed": today().isoformat(),
                "contact_email": CONTACT["email"], "agreement_type": "MicrosoftCustomerAgreement"}
    assert created["agreement"] == expected and created["diff"] == {"before": {}, "after": expected}
    assert [(e["method"], e["path"]) for e in writes(journal["msg"]["requests"])] == [
        ("POST", "/v1/customers/%s/agreements" % CONTOSO)]
    (stored,) = agreements(sim, state=state["msg"])
    assert (stored["template_id"], stored["type"], stored["email"], stored["phone_number"]) == (
        MCA_TEMPLATE, "MicrosoftCustomerAgreement", CONTACT["email"], CONTACT["phone_number"])
    assert stored["date_agreed"].startswith(today().isoformat())

    # Another contact and date: present already means at least one attestation, so nothing to write.
    assert [(r["changed"], r["action"]) for r in checked] == [(False, "unchanged")] * 2
    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert again["agreement"] == expected
    assert writes(again_journal["msg"]["requests"]) == [] and len(agreements(sim, state=again_state["msg"])) == 1


def test_check_mode_predicts_without_a_write(sim, env):
    day = (today() - datetime.timedelta(days=3)).isoformat()
    (predicted, journal, state, created), _ = run_tasks([
        dict(agreement_task(date_agreed=day), check_mode=True), sim_read(sim, JOURNAL), sim_read(sim, STATE),
        agreement_task(date_agreed=day)], env, diff=True)
    assert (predicted["changed"], predicted["action"]) == (True, "created"), predicted.get("msg")
    assert writes(journal["msg"]["requests"]) == [] and agreements(sim, state=state["msg"]) == []
    assert (created["changed"], created["action"], created["diff"]) == (True, "created", predicted["diff"])
    assert agreements(sim)[0]["date_agreed"].startswith(day)


def test_bad_input_is_refused_before_any_write(sim, env):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    cases = [
        (agreement_task(date_agreed=tomorrow), "in the future"),
        (agreement_task(date_agreed="02/12/2026"), "YYYY-MM-DD"),
        (agreement_task(date_agreed="2026-02-30"), "YYYY-MM-DD"),
        (agreement_task(customer_id="1234"), "GUID"),
        (agreement_task(contact=dict(CONTACT, email="megan")), "contact.email"),
        ({"csp.onboarding.customer_agreement": {"customer_id": CONTOSO}}, "needs contact"),
        (agreement_task(contact={"first_name": "Megan"}), "contact.last_name, contact.email"),
    ]
    # Then, once more in check mode, the future date alone.
    played, _ = run_tasks([task for task, _ in cases] + [
        sim_read(sim, JOURNAL), sim_read(sim, STATE),
        dict(agreement_task(date_agreed=tomorrow), check_mode=True), sim_read(sim, JOURNAL)], env)
    results, (journal, state, future, future_journal) = played[:len(cases)], played[len(cases):]
    for result, (_task, message) in zip(results, cases):
        assert result["failed"] and message in result["msg"], (message, result["msg"])
    assert writes(journal["msg"]["requests"]) == [] and agreements(sim, state=state["msg"]) == []
    # The future date is refused before any request at all.
    assert future["failed"] and "in the future" in future["msg"]
    assert [e for e in future_journal["msg"]["requests"] if e["api"] == "pc"] == []


def test_a_lost_answer_is_not_attested_twice(sim, env):
    sim.set_faults({"rules": [{"fault": "lost_response", "method": "POST", "path": "/agreements$"}]})
    (created,), _ = run_tasks([agreement_task(customer_id=FABRIKAM, max_retries=1)], env)
    assert created["action"] == "created", created.get("msg")
    assert len(agreements(sim, FABRIKAM)) == 1


def test_app_only_credentials_fail_clearly(sim, tmp_path):
    env = connection_env(sim, str(tmp_path / "cache.json"), app_user=False)
    (result,), _ = run_tasks([agreement_task()], env)
    assert result["failed"] and result["status"] == 403 and result["ms_correlation_id"]
    assert writes(sim.journal()) == []
