"""Bad input is refused with a clear message before any request to a write endpoint (one playbook, many tasks)."""

from conftest import CONTOSO
from harness import DEMO, run_tasks, writes

USER = {"customer_id": CONTOSO, "upn": "ok.user@contoso-demo.onmicrosoft.com", "first_name": "Ok",
        "usage_location": "US", "password": "Initial-Passw0rd!"}
ONE_USER = dict((key, value) for key, value in USER.items() if key != "customer_id")
DOMAIN = {"customer_id": CONTOSO, "name": "ok.contoso-demo.example"}
BYPASS = {"app_instance_id": DEMO["app_instance_id"], "account_id": 1000001, "ms_tenant_id": CONTOSO}
FEDERATION = {"issuer_uri": "http://sts.example/adfs/services/trust", "log_off_uri": "https://sts.example/adfs/ls/",
              "passive_log_on_uri": "https://sts.example/adfs/ls/", "preferred_authentication_protocol": "ws_fed",
              "prompt_login_behavior": "native_support", "signing_certificate": "TUlJQ2JqQ0NBZGVnQXdJQkFnSVFB"}


def case(module, base, message, **changes):
    options = dict(base)
    for key, value in changes.items():
        if value is None:
            options.pop(key, None)
        else:
            options[key] = value
    return ("csp.onboarding." + module, options, message)


CASES = [
    case("customer_user", USER, "customer_id must be a GUID", customer_id="c0000001-0000-4000-8000"),
    case("customer_user", USER, "customer_id must be a GUID", customer_id="'; DROP TABLE users; --"),
    case("customer_user", USER, "user_principal_name must look like", upn="no-at-sign.contoso.com"),
    case("customer_user", USER, "user_principal_name must look like", upn="two words@contoso-demo.onmicrosoft.com"),
    case("customer_user", USER, "user_principal_name domain", upn="x@contoso-demo.onmicrosoft.com."),
    case("customer_user", USER, "two-letter", usage_location="USA"),
    case("customer_user", USER, "two-letter", usage_location="1"),
    case("customer_user", USER, "at most 256", first_name="x" * 10240),
    case("customer_user", USER, "control characters", display_name="line\nbreak"),
    case("customer_user", USER, "value of state must be one of", state="gone"),
    case("customer_user", USER, "unable to convert to bool",
         force_change_password="perhaps"),
    case("customer_user", USER, "Unsupported parameters", colour="blue"),
    case("customer_user", USER, "missing required arguments: user_principal_name", upn=None),
    case("customer_users", {"customer_id": CONTOSO, "users": [ONE_USER, dict(ONE_USER, upn="OK.User@contoso-demo.onmicrosoft.com")]},
         "listed twice"),
    case("customer_users", {"customer_id": CONTOSO, "users": [{"upn": "a@b"}]}, "user_principal_name domain"),
    case("customer_users", {"customer_id": CONTOSO, "users": [{"upn": "ok@contoso-demo.onmicrosoft.com",
                                                                 "shoe_size": 9}]}, "Unsupported parameters"),
    case("customer_users", {"customer_id": CONTOSO, "users": "not-a-list-of-dicts"}, "dictionary requested"),
    case("customer_user_info", {"customer_id": CONTOSO, "upn": "nope"}, "user_principal_name must look like"),
    case("customer_info", {"customer_id": CONTOSO, "domain": "contoso-demo.onmicrosoft.com"}, "mutually exclusive"),
    case("customer_info", {"domain": "contoso demo.com"}, "spaces"),
    case("verified_domain", DOMAIN, "empty", name=""),
    case("verified_domain", DOMAIN, "spaces", name="ok contoso.example"),
    case("verified_domain", DOMAIN, "dot", name="ok.contoso-demo.example."),
    case("verified_domain", DOMAIN, "domain name such as", name="ok.contoso-demo.example)(,&"),
    case("verified_domain", DOMAIN, "federation_settings", authentication_type="federated"),
    case("verified_domain", DOMAIN, "base64", authentication_type="federated",
         federation_settings=dict(FEDERATION, signing_certificate="%%% not base64 %%%")),
    case("verified_domain", DOMAIN, "issuer_uri", authentication_type="federated",
         federation_settings=dict((k, v) for k, v in FEDERATION.items() if k != "issuer_uri")),
    case("verified_domain", DOMAIN, "capability", capability="teleportation"),
    case("verified_domain", DOMAIN, "state", state="absent"),
    case("verified_domain", DOMAIN, "root_domain", root_domain="not a domain"),
    case("aps_bypass_validation", BYPASS, "positive integer", account_id=-1),
    case("aps_bypass_validation", BYPASS, "positive integer", account_id=0),
    case("aps_bypass_validation", BYPASS, "account_id", account_id="1000001 or 1=1"),
    case("aps_bypass_validation", BYPASS, "app_instance_id must be a GUID", app_instance_id="x),eq(a,b"),
    case("aps_bypass_validation", BYPASS, "ms_tenant_id must be a GUID", ms_tenant_id="' or ''='"),
    case("aps_bypass_validation", BYPASS, "bypass_type", bypass_type="x" * 10240),
]


def test_every_bad_input_is_refused_before_a_write(sim, env):
    assert len(CASES) >= 30
    results, _ = run_tasks([{module: options} for module, options, _message in CASES], env)
    for (module, options, message), result in zip(CASES, results):
        assert result.get("failed"), (module, options)
        assert message in result["msg"], (module, message, result["msg"])
    assert writes(sim.journal()) == []


def test_unicode_and_quotes_in_names_are_data_not_syntax(sim, env):
    odd = "Zoë O'Brien \"Jr\" (QA), R&D"
    (created, again), _ = run_tasks([
        {"csp.onboarding.customer_user": dict(USER, first_name=odd, display_name=odd)},
        {"csp.onboarding.customer_user": dict(USER, first_name=odd, display_name=odd)},
    ], env)
    assert created["action"] == "created" and created["user"]["first_name"] == odd, created.get("msg")
    assert again["action"] == "unchanged"
