"""customer_agreement against the simulator: the Microsoft Customer Agreement attestation."""

import datetime

from conftest import CONTOSO, FABRIKAM
from harness import connection_env, run_tasks, writes

MCA_TEMPLATE = "117a69e1-8f0f-4e7e-a7a7-1f4f63a3f5c9"
CONTACT = {"first_name": "Megan", "last_name": "Bowen", "email": "megan.bowen@contoso-demo.example",
           "phone_number": "+1 425 555 0100"}


def agreement_task(customer_id=CONTOSO, **options):
    spec = dict(customer_id=customer_id, contact=CONTACT)
    spec.update(options)
    return {"csp.onboarding.customer_agreement": spec}


def agreements(sim, customer_id=CONTOSO):
    customer = [c for c in sim.state()["partners"][0]["customers"] if c["id"] == customer_id][0]
    return customer["agreements"]


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def test_attest_then_rerun_unchanged(sim, env):
    (created,), _ = run_tasks([agreement_task()], env, diff=True)
    assert (created["changed"], created["action"]) == (True, "created"), created.get("msg")
    expected = {"template_id": MCA_TEMPLATE, "date_agreed": today().isoformat(),
                "contact_email": CONTACT["email"], "agreement_type": "MicrosoftCustomerAgreement"}
    assert created["agreement"] == expected and created["diff"] == {"before": {}, "after": expected}
    assert [(e["method"], e["path"]) for e in writes(sim.journal())] == [("POST", "/v1/customers/%s/agreements"
                                                                          % CONTOSO)]
    (stored,) = agreements(sim)
    assert (stored["template_id"], stored["type"], stored["email"], stored["phone_number"]) == (
        MCA_TEMPLATE, "MicrosoftCustomerAgreement", CONTACT["email"], CONTACT["phone_number"])
    assert stored["date_agreed"].startswith(today().isoformat())

    sim.clear_journal()
    # Another contact and date: present already means at least one attestation, so nothing to write.
    again, _ = run_tasks([agreement_task(contact=dict(CONTACT, email="someone@contoso-demo.example")),
                          {"csp.onboarding.customer_agreement": {"customer_id": CONTOSO}}], env, check=True)
    assert [(r["changed"], r["action"]) for r in again] == [(False, "unchanged")] * 2
    sim.clear_journal()
    (again,), _ = run_tasks([agreement_task()], env)
    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert again["agreement"] == expected
    assert writes(sim.journal()) == [] and len(agreements(sim)) == 1


def test_check_mode_predicts_without_a_write(sim, env):
    day = (today() - datetime.timedelta(days=3)).isoformat()
    (predicted,), _ = run_tasks([agreement_task(date_agreed=day)], env, check=True, diff=True)
    assert (predicted["changed"], predicted["action"]) == (True, "created"), predicted.get("msg")
    assert writes(sim.journal()) == [] and agreements(sim) == []
    (created,), _ = run_tasks([agreement_task(date_agreed=day)], env, diff=True)
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
    results, _ = run_tasks([task for task, _ in cases], env)
    for result, (_task, message) in zip(results, cases):
        assert result["failed"] and message in result["msg"], (message, result["msg"])
    assert writes(sim.journal()) == [] and agreements(sim) == []
    # The future date is refused before any request at all.
    sim.clear_journal()
    results, _ = run_tasks([agreement_task(date_agreed=tomorrow)], env, check=True)
    assert results[0]["failed"] and "in the future" in results[0]["msg"]
    assert [e for e in sim.journal() if e["api"] == "pc"] == []


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
