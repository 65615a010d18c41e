# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The customer's attestation of the Microsoft Customer Agreement (Partner Center ``agreements``).

Without it every order of the customer fails (403, code 13605). The attestation is a record that a
person of the customer accepted the agreement on a date; it cannot be changed or withdrawn through the
API, so the desired state is "at least one attestation of this type exists". Every call is App+User only.

This file is private to the collection.
"""

import datetime
import re

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

AGREEMENT_TYPE = "MicrosoftCustomerAgreement"
CONTACT_OPTIONS = dict(
    first_name=dict(type="str"),
    last_name=dict(type="str"),
    email=dict(type="str"),
    phone_number=dict(type="str"),
)
REQUIRED_CONTACT = ("first_name", "last_name", "email")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{5,30}$")


def today_utc():
    return datetime.datetime.now(datetime.timezone.utc).date()


def date_agreed(value, today=None):
    """``YYYY-MM-DD``, default today (UTC); a date after today (UTC) is refused, as Partner Center does."""
    today = today or today_utc()
    if value is None or str(value).strip() == "":
        return today.isoformat()
    text = str(value).strip()
    try:
        if not DATE.match(text):
            raise ValueError()
        day = datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise validate.InvalidInput("date_agreed must be a date as YYYY-MM-DD, such as %s, got %r"
                                    % (today.isoformat(), value))
    if day > today:
        raise validate.InvalidInput("date_agreed %s is in the future (today is %s, UTC); Partner Center refuses "
                                    "an attestation dated after the day it is made" % (text, today.isoformat()))
    return text


def validated_contact(contact):
    if contact is None:
        return None
    checked = {}
    for key in CONTACT_OPTIONS:
        value = contact.get(key)
        if value is not None:
            value = validate.text_field(str(value).strip(), "contact." + key) or None
        checked[key] = value
    if checked["email"] and not EMAIL.match(checked["email"]):
        raise validate.InvalidInput("contact.email must be an e-mail address, got %r" % checked["email"])
    if checked["phone_number"] and not PHONE.match(checked["phone_number"]):
        raise validate.InvalidInput("contact.phone_number must be a phone number (digits, spaces and + ( ) . / -), "
                                    "got %r" % checked["phone_number"])
    return checked


def agreement_view(agreement):
    contact = agreement.get("primaryContact") or {}
    return {
        "template_id": agreement.get("templateId"),
        "date_agreed": (agreement.get("dateAgreed") or "")[:10] or None,
        "contact_email": contact.get("email"),
        "agreement_type": agreement.get("type") or agreement.get("agreementType"),
    }


def template_id(client):
    """The id of the current Microsoft Customer Agreement template.

    Assumed, undocumented: when several templates are listed, the highest ``versionRank`` is current.
    """
    templates = [t for t in client.agreement_templates(AGREEMENT_TYPE) if t.get("templateId")]
    if not templates:
        raise ApiError("Partner Center listed no %s template (GET /v1/agreements?agreementType=%s), so the "
                       "agreement cannot be attested" % (AGREEMENT_TYPE, AGREEMENT_TYPE),
                       method="GET", path="/v1/agreements")
    return max(templates, key=lambda t: t.get("versionRank") or 0)["templateId"]


def latest(agreements):
    return max(agreements, key=lambda a: a.get("dateAgreed") or "")


def ensure_agreement(task):
    params = task.params
    customer_id = validate.guid(params["customer_id"], "customer_id")
    day = date_agreed(params["date_agreed"])
    contact = validated_contact(params["contact"])
    client = task.client

    existing = [a for a in client.list_customer_agreements(customer_id, AGREEMENT_TYPE)
                if (a.get("type") or AGREEMENT_TYPE).lower() == AGREEMENT_TYPE.lower()]
    if existing:
        view = agreement_view(latest(existing))
        return task.outcome("agreement", "unchanged", view, view)

    missing = ["contact"] if not contact else ["contact." + key for key in REQUIRED_CONTACT if not contact[key]]
    if missing:
        raise validate.InvalidInput("customer %s has not attested the Microsoft Customer Agreement yet, and the "
                                    "attestation needs %s" % (customer_id, ", ".join(missing)))
    template = template_id(client)
    desired = {"template_id": template, "date_agreed": day, "contact_email": contact["email"],
               "agreement_type": AGREEMENT_TYPE}
    if task.check_mode:
        return task.outcome("agreement", "created", None, desired)
    primary = {"firstName": contact["first_name"], "lastName": contact["last_name"], "email": contact["email"]}
    if contact["phone_number"]:
        primary["phoneNumber"] = contact["phone_number"]
    body = {"primaryContact": primary, "templateId": template, "dateAgreed": day, "type": AGREEMENT_TYPE}
    try:
        created = client.create_customer_agreement(customer_id, body)
    except ApiError as exc:
        # Not answered after the transport's retries (same MS-RequestId), or "already exists": read back.
        if exc.status is not None and exc.status < 500 and exc.code not in (600061, "600061"):
            raise
        existing = client.list_customer_agreements(customer_id, AGREEMENT_TYPE)
        if not existing:
            raise
        created = latest(existing)
    return task.outcome("agreement", "created", None, desired, resource=dict(desired, **dict(
        (key, value) for key, value in agreement_view(created or {}).items() if value)))
