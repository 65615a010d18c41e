#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer_domain
short_description: Add, verify or remove a custom domain in a Microsoft CSP customer's tenant through Microsoft Graph
version_added: 0.2.0
description:
  - Adds a custom domain to a customer tenant with Microsoft Graph (C(POST /v1.0/domains)), returns the DNS records
    that prove ownership, verifies the domain once they are published (C(POST /v1.0/domains/{id}/verify)), or
    removes it (C(DELETE /v1.0/domains/{id})).
  - For partners who are not domain registrars, for whom M(csp.onboarding.verified_domain) is not open. Pair it with
    the DNS modules of your DNS provider to publish the records.
  - The calls run in the customer's tenant, with a Graph token whose authority is the customer's tenant, requested
    with the partner's credentials (App+User, O(refresh_token)). The partner's GDAP relationship with the customer
    must grant the C(Domain Name Administrator) role; a refusal says so.
  - Reads first (C(GET /v1.0/domains/{id})) and writes only what differs, compared case-insensitively.
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID).
    type: str
    required: true
  name:
    description:
      - The domain name, such as V(contoso.com). Compared case-insensitively. An initial domain
        (C(*.onmicrosoft.com)) exists with the tenant and cannot be added.
    type: str
    required: true
    aliases: [domain]
  state:
    description:
      - V(present) adds the domain if it is missing and returns RV(verification_dns_records), the records to publish;
        the domain may stay unverified.
      - V(verified) also verifies it. When Microsoft does not find the records yet the task fails, and its C(msg) and
        RV(verification_dns_records) say which records are missing, so a task can wait with C(until) and C(retries)
        while DNS propagates.
      - V(absent) removes the domain. The tenant's default or initial domain is refused before any write.
      - In check mode, V(verified) predicts that verification succeeds; whether DNS holds the records is only known
        when Microsoft checks.
    type: str
    choices: [present, verified, absent]
    default: present
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.verified_domain
  - name: Add a domain (Microsoft Graph)
    description: The Graph call that adds the domain.
    link: https://learn.microsoft.com/en-us/graph/api/domain-post-domains
  - name: List verificationDnsRecords (Microsoft Graph)
    description: The DNS records that prove ownership.
    link: https://learn.microsoft.com/en-us/graph/api/domain-list-verificationdnsrecords
"""

EXAMPLES = r"""
- name: Add the domain and get the records to publish
  csp.onboarding.customer_domain:
    customer_id: c0000001-0000-4000-8000-000000000001
    name: contoso.com
  register: domain

- name: Publish the TXT record (any DNS module; Route 53 here)
  amazon.aws.route53:
    state: present
    zone: contoso.com
    record: contoso.com
    type: TXT
    ttl: "{{ item.ttl }}"
    value: '"{{ item.text }}"'
  loop: "{{ domain.verification_dns_records | selectattr('record_type', 'equalto', 'txt') }}"
  loop_control:
    label: "{{ item.label }}"

- name: Verify, waiting for DNS to propagate
  csp.onboarding.customer_domain:
    customer_id: c0000001-0000-4000-8000-000000000001
    name: contoso.com
    state: verified
  register: verified
  until: verified is succeeded
  retries: 20
  delay: 30

- name: Remove a domain
  csp.onboarding.customer_domain:
    customer_id: c0000001-0000-4000-8000-000000000001
    name: old.contoso.com
    state: absent
"""

RETURN = r"""
action:
  description: V(created), V(verified), V(deleted) or V(unchanged).
  returned: success
  type: str
  sample: created
domain:
  description:
    - The domain as Graph holds it after the task (predicted in check mode); empty when absent.
    - Also returned when O(state=verified) fails because the records are not published yet, with C(is_verified)
      false (the domain was added).
  returned: success, and when verification fails
  type: dict
  contains:
    name:
      description: The domain name, lower-case.
      type: str
    is_verified:
      description: Whether Microsoft verified the domain.
      type: bool
    is_default:
      description: Whether it is the tenant's default domain.
      type: bool
    is_initial:
      description: Whether it is the tenant's initial (C(onmicrosoft)) domain.
      type: bool
    authentication_type:
      description: V(managed) or V(federated).
      type: str
    supported_services:
      description: The services the domain is used for, such as C(Email).
      type: list
      elements: str
verification_dns_records:
  description:
    - The DNS records to publish so that Microsoft can verify the domain; empty once it is verified. Also returned
      when O(state=verified) fails.
  returned: always
  type: list
  elements: dict
  contains:
    record_type:
      description: V(txt) or V(mx).
      type: str
    label:
      description: The DNS name of the record.
      type: str
    text:
      description: The TXT record's value, such as C(MS=ms12345678).
      type: str
    mail_exchange:
      description: The MX record's target.
      type: str
    preference:
      description: The MX record's preference.
      type: int
    ttl:
      description: The time to live, in seconds.
      type: int
    is_optional:
      description: Whether the record is optional (Microsoft needs one of them, the TXT record usually).
      type: bool
    supported_service:
      description: The service the record is for.
      type: str
  sample:
    - record_type: txt
      label: contoso.com
      text: MS=ms12345678
      ttl: 3600
      is_optional: false
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._graph_domains import ensure_customer_domain
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str", required=True),
        name=dict(type="str", required=True, aliases=["domain"]),
        state=dict(type="str", choices=["present", "verified", "absent"], default="present"),
    ), "partner_center", ensure_customer_domain)


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
