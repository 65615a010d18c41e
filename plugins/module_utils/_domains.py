# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verified domains of a customer (Partner Center ``verifieddomain``): reads, the write and the desired state.

This file is private to the collection.
"""

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._compare import pascal_enum, snake_enum
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

CAPABILITIES = ["none", "email", "sharepoint", "office_communications_online", "sharepoint_default",
                "full_redelegation", "share_point_public", "org_id_authentication", "yammer", "intune", "all"]
FEDERATION_OPTIONS = dict(
    issuer_uri=dict(type="str", required=True),
    log_off_uri=dict(type="str", required=True),
    passive_log_on_uri=dict(type="str", required=True),
    preferred_authentication_protocol=dict(type="str", required=True, choices=["ws_fed", "samlp"]),
    prompt_login_behavior=dict(type="str", required=True,
                               choices=["translate_to_fresh_password_auth", "native_support", "disabled"]),
    signing_certificate=dict(type="str", required=True),
    active_log_on_uri=dict(type="str"),
    default_interactive_authentication_method=dict(type="str"),
    federation_brand_name=dict(type="str"),
    metadata_exchange_uri=dict(type="str"),
    next_signing_certificate=dict(type="str"),
    open_id_connect_discovery_endpoint=dict(type="str"),
    signing_certificate_update_status=dict(type="dict"),
    supports_mfa=dict(type="bool"),
)
ENUM_SETTINGS = ("preferred_authentication_protocol", "prompt_login_behavior")


def request_body(params, name):
    """The documented ``VerifiedDomain`` body, PascalCase as in Partner Center's example."""
    domain = {
        "Name": name,
        "AuthenticationType": pascal_enum(params["authentication_type"]),
        "Capability": pascal_enum(params["capability"]),
        "Status": pascal_enum(params["status"]),
        "VerificationMethod": pascal_enum(params["verification_method"]),
    }
    for option, prop in (("is_default", "IsDefault"), ("is_initial", "IsInitial"), ("root_domain", "RootDomain")):
        if params[option] is not None:
            domain[prop] = params[option]
    body = {"VerifiedDomainName": name, "Domain": domain}
    settings = params["federation_settings"]
    if params["authentication_type"] == "federated":
        # The documented property names are the PascalCase of the option names (IssuerUri, SupportsMfa...).
        body["DomainFederationSettings"] = dict(
            (pascal_enum(option), pascal_enum(value) if option in ENUM_SETTINGS else value)
            for option, value in settings.items() if value is not None)
    return body


def desired_view(params, name):
    view = {"name": name, "authentication_type": params["authentication_type"], "capability": params["capability"],
            "status": params["status"], "verification_method": params["verification_method"]}
    view.update((option, params[option]) for option in ("is_default", "is_initial", "root_domain")
                if params[option] is not None)
    return view


def snake_view(domain):
    """Partner Center's Domain answer with snake_case keys and enum values."""
    return dict((snake_enum(key), snake_enum(value) if key in ("authenticationType", "capability", "status",
                                                               "verificationMethod") else value)
                for key, value in (domain or {}).items() if key not in ("links", "attributes"))


def validated(params):
    customer_id = validate.guid(params["customer_id"], "customer_id")
    name = validate.domain_name(params["name"], "name")
    if params["root_domain"]:
        validate.domain_name(params["root_domain"], "root_domain")
    settings = params["federation_settings"]
    if params["authentication_type"] == "federated":
        for option in ("signing_certificate", "next_signing_certificate"):
            if settings.get(option):
                settings[option] = validate.base64_text(settings[option], "federation_settings." + option)
    elif settings:
        raise validate.InvalidInput("federation_settings are only used with authentication_type: federated")
    return customer_id, name


def ensure_domain(task):
    params = task.params
    customer_id, name = validated(params)
    client = task.client
    desired = desired_view(params, name)
    # The domains list answers a re-run in one request; the customer is read only when the domain is not
    # there, since its default (onmicrosoft) domain and customDomains may name it too.
    if name in client.custom_domain_names(customer_id):
        # The domain's other properties cannot be read back: nothing else to compare.
        return task.outcome("domain", "unchanged", {"name": name}, {"name": name})
    customer = client.get_customer(customer_id)
    if customer is None:
        raise validate.InvalidInput("customer %s was not found among this partner's customers" % customer_id)
    if name in client.customer_domain_names(customer):
        return task.outcome("domain", "unchanged", {"name": name}, {"name": name})
    # One HEAD, only when the domain is to be added: Partner Center refuses a domain another tenant has.
    if client.domain_exists_anywhere(name):
        raise validate.InvalidInput("name %s: the domain already belongs to another tenant (HEAD /v1/domains/%s "
                                    "answered 200), so it cannot be added to customer %s" % (name, name, customer_id))
    if task.check_mode:
        return task.outcome("domain", "created", None, desired)
    try:
        created = snake_view(client.add_verified_domain(customer_id, request_body(params, name)))
    except ApiError as exc:
        if not exc.is_conflict:
            raise
        if name in client.custom_domain_names(customer_id):
            return task.outcome("domain", "unchanged", {"name": name}, {"name": name})
        exc.message = ("Domain %s already belongs to another tenant, so it cannot be added to customer %s. %s"
                       % (name, customer_id, exc.message))
        raise
    return task.outcome("domain", "created", None, desired, resource=dict(desired, **created))
