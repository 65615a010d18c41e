# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Custom domains of a customer tenant through Microsoft Graph (``/v1.0/domains``), for partners that are not
domain registrars: reads, writes and the desired state of ``customer_domain``.

The calls run in the customer's tenant: a Graph token with the customer's tenant as authority, from the
partner's credentials, allowed through GDAP (Domain Name Administrator). Documented: ``POST /domains {id}``
adds an unverified domain, ``GET /domains/{id}/verificationDnsRecords`` lists what to publish in DNS,
``POST /domains/{id}/verify`` verifies it, ``DELETE /domains/{id}`` removes it.

This file is private to the collection.
"""

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._graph import quoted
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

DOMAIN_FIELDS = (("name", "id"), ("is_verified", "isVerified"), ("is_default", "isDefault"),
                 ("is_initial", "isInitial"), ("authentication_type", "authenticationType"),
                 ("supported_services", "supportedServices"))
GDAP_ROLE = "Domain Name Administrator"


def domain_view(domain):
    """Graph's domain in the module's snake_case (the managed fields, compared and diffed)."""
    if not domain:
        return None
    view = dict((option, domain.get(prop)) for option, prop in DOMAIN_FIELDS)
    view["name"] = (view["name"] or "").lower()
    if isinstance(view["authentication_type"], str):
        view["authentication_type"] = view["authentication_type"].lower()
    return view


def record_view(record):
    """One DNS record to publish: TXT (``text``) or MX (``mail_exchange``, ``preference``)."""
    view = {
        "record_type": (record.get("recordType") or "").lower(),
        "label": record.get("label"),
        "ttl": record.get("ttl"),
        "is_optional": bool(record.get("isOptional")),
        "supported_service": record.get("supportedService"),
    }
    if record.get("text") is not None:
        view["text"] = record["text"]
    if record.get("mailExchange") is not None:
        view["mail_exchange"] = record["mailExchange"]
        view["preference"] = record.get("preference")
    return view


def describe_records(records):
    """The records as a sentence a user can act on: ``TXT contoso.com "MS=ms12345678" (TTL 3600)``."""
    parts = []
    for record in records:
        if record["record_type"] == "txt":
            parts.append('TXT %s "%s" (TTL %s)' % (record["label"], record.get("text"), record["ttl"]))
        elif record["record_type"] == "mx":
            parts.append("MX %s %s preference %s (TTL %s)" % (
                record["label"], record.get("mail_exchange"), record.get("preference"), record["ttl"]))
    return "; ".join(parts)


class GraphDomains(object):
    """The domain calls in one customer tenant."""

    def __init__(self, graph):
        self.graph = graph

    def get(self, name):
        return self.graph.get("/domains/%s" % quoted(name))

    def verification_records(self, name):
        return [record_view(record) for record in self.graph.pages("/domains/%s/verificationDnsRecords" % quoted(name))]

    def add(self, name):
        return self.graph.post("/domains", {"id": name}).data

    def verify(self, name):
        return self.graph.post("/domains/%s/verify" % quoted(name), {}).data

    def remove(self, name):
        return self.graph.delete("/domains/%s" % quoted(name))


def _with_gdap_hint(exc, customer_id):
    if exc.status == 403:
        exc.message += (" The partner's GDAP relationship with customer %s must grant the %s role for domain calls "
                        "(see the GDAP guide)." % (customer_id, GDAP_ROLE))
    return exc


def validated(params):
    customer_id = validate.guid(params["customer_id"], "customer_id")
    name = validate.domain_name(params["name"], "name")
    if params["state"] != "absent" and name.endswith((".onmicrosoft.com", ".onmicrosoft.us", ".partner.onmschina.cn")):
        raise validate.InvalidInput("name %s is an initial (Microsoft-provided) domain: it exists with the tenant and "
                                    "cannot be added" % name)
    return customer_id, name


def ensure_customer_domain(task):
    """``customer_domain``: present (added, records returned), verified (and verification), or absent."""
    params = task.params
    customer_id, name = validated(params)
    domains = GraphDomains(task.graph(tenant_id=customer_id))
    try:
        return _converge(task, domains, name, params["state"])
    except ApiError as exc:
        raise _with_gdap_hint(exc, customer_id)


def _converge(task, domains, name, state):
    current = domains.get(name)
    before = domain_view(current)

    if state == "absent":
        if current is None:
            return task.outcome("domain", "unchanged", None, None, resource={}, verification_dns_records=[])
        if before["is_default"] or before["is_initial"]:
            # Graph refuses it too; saying so first names the way out.
            raise validate.InvalidInput("domain %s is the tenant's %s domain and cannot be removed; make another domain "
                                        "the default first" % (name, "initial" if before["is_initial"] else "default"))
        if not task.check_mode:
            domains.remove(name)
        return task.outcome("domain", "deleted", before, None, resource=before, verification_dns_records=[])

    action = "unchanged"
    after = before
    if current is None:
        action = "created"
        if task.check_mode:
            after = {"name": name, "is_verified": False, "is_default": False, "is_initial": False,
                     "authentication_type": "managed", "supported_services": []}
        else:
            after = domain_view(domains.add(name)) or domain_view(domains.get(name))
    # Records can be listed only for a domain that exists: in check mode a new domain has none to show yet.
    records = [] if current is None and task.check_mode else \
        ([] if after["is_verified"] else domains.verification_records(name))

    if state == "verified" and not after["is_verified"]:
        if task.check_mode:
            # Whether DNS already holds the record is Graph's to find out: the prediction is that it does.
            return task.outcome("domain", "verified", before, dict(after, is_verified=True),
                                verification_dns_records=records)
        try:
            verified = domains.verify(name)
        except ApiError as exc:
            if exc.status is None or exc.status >= 500:
                raise
            missing = [record for record in records if not record["is_optional"]] or records
            exc.message = ("Domain %s is not verified yet: publish %s in its DNS zone, then run again (the records are "
                           "also in verification_dns_records). Graph said: %s"
                           % (name, describe_records(missing), exc.message))
            exc.extra["verification_dns_records"] = records
            exc.extra["domain"] = after
            raise
        after = domain_view(verified) if verified and "isVerified" in verified else domain_view(domains.get(name))
        return task.outcome("domain", "verified", before, after, verification_dns_records=[])

    return task.outcome("domain", action, before, after, verification_dns_records=records)
