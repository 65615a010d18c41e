# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Customers of the partner (Partner Center ``/v1/customers``): reads, and the desired state of a customer.

A customer is created once and never changed here: Partner Center has no call that deletes a customer,
and the identity of a tenant is its initial ``onmicrosoft.com`` domain. So the desired state is "a
customer with this initial domain exists": read first (every page of the ``Domain`` search, matched
exactly), and only when there is none check the prefix and the address, then ``POST /v1/customers``.

The answer to the create is the only place the initial admin's password ever appears. It goes to one
file, created before the write with ``O_EXCL | O_NOFOLLOW`` and mode 0600, and nowhere else.

This file is private to the collection.
"""

import json
import os
import re

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._compare import SecretMasker
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError
from ansible_collections.csp.onboarding.plugins.module_utils._partner_center import customer_view

ONMICROSOFT = ".onmicrosoft.com"
ADDRESS_OPTIONS = dict(
    address_line1=dict(type="str"),
    address_line2=dict(type="str"),
    city=dict(type="str"),
    state=dict(type="str"),
    postal_code=dict(type="str"),
    country=dict(type="str"),
)
BILLING_OPTIONS = dict(
    email=dict(type="str"),
    first_name=dict(type="str"),
    last_name=dict(type="str"),
    phone_number=dict(type="str"),
    culture=dict(type="str", default="en-US"),
    language=dict(type="str", default="en"),
    address=dict(type="dict", options=ADDRESS_OPTIONS),
)
REQUIRED_BILLING = ("email", "first_name", "last_name", "phone_number", "address")
REQUIRED_ADDRESS = ("address_line1", "city", "postal_code", "country")
# Option name -> the Address property of Partner Center (camelCase, as the swagger spells it).
ADDRESS_PROPERTIES = (("address_line1", "addressLine1"), ("address_line2", "addressLine2"), ("city", "city"),
                      ("state", "state"), ("postal_code", "postalCode"), ("country", "country"))
CULTURE = re.compile(r"^([A-Za-z]{2,3})-([A-Za-z]{2})$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{5,30}$")


def find_customers(task):
    params = task.params
    customer_id = params["customer_id"] and validate.guid(params["customer_id"], "customer_id")
    domain = params["domain"] and validate.domain_name(params["domain"], "domain")
    client = task.client
    if customer_id:
        customer = client.get_customer(customer_id)
        customers = [customer] if customer else []
    elif domain:
        customers = client.find_customers_by_domain(domain)
    else:
        customers = list(client.list_customers())
    return dict(changed=False, customers=[customer_view(customer) for customer in customers])


# --- the desired state of a customer -----------------------------------------------------------------


def initial_domain(value):
    """``contoso`` or ``contoso.onmicrosoft.com`` -> (``contoso.onmicrosoft.com``, ``contoso``)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    prefix = text[:-len(ONMICROSOFT)] if text.endswith(ONMICROSOFT) else text
    if not prefix or "." in prefix:
        raise validate.InvalidInput(
            "domain must be the initial domain's prefix (contoso) or the whole initial domain "
            "(contoso.onmicrosoft.com), got %r; add custom domains afterwards with verified_domain or "
            "customer_domain" % (value,))
    if not validate.DOMAIN_LABEL.match(prefix):
        raise validate.InvalidInput(
            "domain prefix %r is not a valid DNS label: 1 to 63 letters, digits or hyphens, not starting or "
            "ending with a hyphen" % (prefix,))
    return prefix + ONMICROSOFT, prefix


def _text(value, name):
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return validate.text_field(value.strip(), name) or None


def validated_billing(billing):
    """The billing profile with its shapes checked and normalised; missing fields are not refused here."""
    if billing is None:
        return None
    profile = dict((key, _text(billing.get(key), "billing_profile." + key))
                   for key in BILLING_OPTIONS if key != "address")
    if profile["email"] and not EMAIL.match(profile["email"]):
        raise validate.InvalidInput("billing_profile.email must be an e-mail address such as "
                                    "billing@contoso.com, got %r" % profile["email"])
    if profile["phone_number"] and not PHONE.match(profile["phone_number"]):
        raise validate.InvalidInput("billing_profile.phone_number must be a phone number (digits, spaces and "
                                    "+ ( ) . / -), got %r" % profile["phone_number"])
    culture = CULTURE.match(profile["culture"] or "en-US")
    if not culture:
        raise validate.InvalidInput("billing_profile.culture must be a culture name (language-COUNTRY) such as "
                                    "en-US or de-DE, got %r" % profile["culture"])
    language = (profile["language"] or "en").lower()
    if not LANGUAGE.match(language):
        raise validate.InvalidInput("billing_profile.language must be an ISO 639-1 language code such as en or "
                                    "de, got %r" % profile["language"])
    profile["culture"] = "%s-%s" % (culture.group(1).lower(), culture.group(2).upper())
    profile["language"] = language
    address = billing.get("address")
    if address is not None:
        address = dict((key, _text(address.get(key), "billing_profile.address." + key)) for key in ADDRESS_OPTIONS)
        if address["country"]:
            address["country"] = validate.country_code(address["country"], "billing_profile.address.country")
    profile["address"] = address
    return profile


def missing_to_create(params, billing):
    """The options a create needs and the task does not give, named as the user writes them."""
    missing = [name for name in ("company_name", "billing_profile") if not params[name]]
    if billing:
        missing.extend("billing_profile." + key for key in REQUIRED_BILLING if not billing[key])
        if billing["address"]:
            missing.extend("billing_profile.address." + key for key in REQUIRED_ADDRESS
                           if not billing["address"][key])
    return missing


def address_body(billing):
    address = billing["address"]
    body = dict((prop, address[option]) for option, prop in ADDRESS_PROPERTIES if address[option])
    return body


def create_body(params, billing, prefix):
    """The documented create body: CompanyProfile {Domain} and BillingProfile with its DefaultAddress."""
    default_address = dict(address_body(billing), firstName=billing["first_name"], lastName=billing["last_name"],
                           phoneNumber=billing["phone_number"])
    company = {"domain": prefix}
    if params["organization_registration_number"]:
        company["organizationRegistrationNumber"] = params["organization_registration_number"]
    return {
        "companyProfile": company,
        "billingProfile": {
            "email": billing["email"],
            "culture": billing["culture"],
            "language": billing["language"],
            "companyName": params["company_name"],
            "defaultAddress": default_address,
        },
    }


def desired_view(params, billing, domain):
    """The managed fields of a customer to create, as the diff shows them (nothing secret among them)."""
    view = {"domain": domain, "company_name": params["company_name"]}
    if billing:
        view["billing_profile"] = dict((key, value) for key, value in billing.items() if value is not None)
    if params["organization_registration_number"]:
        view["organization_registration_number"] = params["organization_registration_number"]
    return view


def existing_view(customer):
    view = customer_view(customer)
    view.pop("custom_domains", None)
    return view


def address_refusal(answer):
    """None when Partner Center accepts the address, else the message that fails the task.

    Assumed, undocumented: the statuses that accept an address are ``Verified`` and ``VerifiedShippable``
    (the page lists the response members, not every status); any other status, with its suggestions, is
    a refusal.
    """
    status = str(answer.get("status") or "")
    if status.lower().startswith("verified"):
        return None
    suggestions = []
    for suggestion in answer.get("suggestedAddresses") or []:
        parts = [str(suggestion.get(prop)) for _option, prop in ADDRESS_PROPERTIES if suggestion.get(prop)]
        suggestions.append(", ".join(parts))
    message = "billing_profile.address was not accepted by Partner Center's address validation (status %s%s)" % (
        status or "unknown", ": %s" % answer["validationMessage"] if answer.get("validationMessage") else "")
    if suggestions:
        message += "; suggested address%s: %s" % ("es" if len(suggestions) > 1 else "", " | ".join(suggestions))
    else:
        message += "; Partner Center suggested no address"
    return message + ". Nothing was created. Correct the address, or set validate_address: false to send it as is."


def credentials_path(value):
    """The admin credentials file: refused when it exists (never overwritten) or its folder does not."""
    if not value:
        return None
    path = os.path.abspath(os.path.expanduser(value))
    if os.path.lexists(path):
        raise validate.InvalidInput(
            "admin_credentials_path %s already exists; it is never overwritten. Move it away or choose another "
            "path, so that the new tenant's initial admin password has somewhere to go" % path)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise validate.InvalidInput("admin_credentials_path %s: the folder %s does not exist" % (path, folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise validate.InvalidInput("admin_credentials_path %s: the folder %s is not writable" % (path, folder))
    return path


def reserve_credentials_file(path):
    """Create the credentials file, empty, 0600, before the create: it cannot exist, be a link, or be unwritable."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise validate.InvalidInput("admin_credentials_path %s cannot be created (%s); nothing was created"
                                    % (path, exc.strerror or exc))
    os.fchmod(fd, 0o600)  # the umask can only have narrowed it; make it exact
    return fd


def write_credentials(fd, user_name, password):
    with os.fdopen(fd, "w") as handle:
        json.dump({"user_name": user_name, "password": password}, handle)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def discard_credentials_file(fd, path):
    os.close(fd)
    try:
        os.unlink(path)
    except OSError:
        pass


def _may_have_been_applied(exc):
    """A create that failed this way may still have created the tenant: read back before reporting."""
    return exc.status is None or exc.status >= 500 or exc.is_conflict


def ensure_customer(task):
    params = task.params
    domain, prefix = initial_domain(params["domain"])
    company_name = _text(params["company_name"], "company_name")
    params["company_name"] = company_name
    params["organization_registration_number"] = _text(params["organization_registration_number"],
                                                       "organization_registration_number")
    billing = validated_billing(params["billing_profile"])
    client = task.client

    found = client.find_customers_by_domain(domain)
    if found:
        view = existing_view(found[0])
        current = {"domain": view["domain"], "company_name": view["company_name"]}
        return task.outcome("customer", "unchanged", current, current, resource=view)

    # To be created: everything the create needs, then the pre-checks, all before the write.
    missing = missing_to_create(params, billing)
    if missing:
        raise validate.InvalidInput("customer %s does not exist, and creating it needs %s"
                                    % (domain, ", ".join(missing)))
    path = credentials_path(params["admin_credentials_path"])
    if not client.domain_prefix_available(prefix):
        raise validate.InvalidInput(
            "domain %s is taken by another tenant (not a customer of this partner): "
            "GET /v1/validations/checkdomainavailability/%s answered false. Choose another prefix; nothing "
            "was created" % (domain, prefix))
    if params["validate_address"]:
        refusal = address_refusal(client.validate_address(address_body(billing)))
        if refusal:
            raise validate.InvalidInput(refusal)
    desired = desired_view(params, billing, domain)
    if not path:
        task.warn("The initial admin password of %s is not kept: set admin_credentials_path to have it written "
                  "to a 0600 file, or reset it afterwards with csp.onboarding.customer_user "
                  "(update_password: always)" % domain)
    if task.check_mode:
        predicted = {"domain": domain, "company_name": company_name}
        return task.outcome("customer", "created", None, desired, resource=predicted, admin_credentials_path=path)

    fd = reserve_credentials_file(path) if path else None
    try:
        created = client.create_customer(create_body(params, billing, prefix))
    except ApiError as exc:
        if fd is not None:
            discard_credentials_file(fd, path)
        # The transport has already retried with the same MS-RequestId; when the answer is still missing
        # the tenant may exist: read it back by domain instead of reporting a failure (or creating again).
        found = client.find_customers_by_domain(domain) if _may_have_been_applied(exc) else []
        if not found:
            raise
        task.warn("The create of %s was not answered (%s), but the customer exists: its initial admin "
                  "credentials were not received%s. Reset the admin password with csp.onboarding.customer_user "
                  "(update_password: always)" % (domain, exc, ", so nothing was written to %s" % path if path else ""))
        return task.outcome("customer", "created", None, desired, resource=existing_view(found[0]),
                            admin_credentials_path=None)

    credentials = created.get("userCredentials") or {}
    user_name = credentials.get("userName")
    password = credentials.get("password")
    if password:
        # Nothing below returns it; mask it anyway, should any text carry it (an error, a warning).
        task.masker = SecretMasker(set(task.masker.secrets) | set([password]))
    if fd is not None:
        if password:
            write_credentials(fd, user_name, password)
        else:
            discard_credentials_file(fd, path)
            task.warn("Partner Center returned no initial admin password for %s; nothing was written to %s"
                      % (domain, path))
            path = None
    return task.outcome("customer", "created", None, desired, resource=existing_view(created),
                        admin_user_name=user_name, admin_credentials_path=path)
