#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: verified_domain
short_description: Add a verified domain to a Microsoft CSP customer through Partner Center
version_added: 0.1.0
description:
  - Adds a managed or federated verified domain to a customer tenant with Partner Center's
    C(POST /v1/customers/{id}/verifieddomain), which is open to domain-registrar partners only.
  - Reads first (C(GET /v1/customers/{id}) and C(GET /v1/customers/{id}/customDomains)) and posts only when the
    customer does not have the domain yet, compared case-insensitively.
  - A create answered "already exists" is re-read. When the domain turns out to be this customer's the task is
    unchanged; when another tenant has it the task fails and says so.
  - Partner Center has no call that reads back or changes the federation settings of an existing domain, nor one
    that removes a domain. Settings given for a domain that already exists are therefore not compared, and
    O(state) only accepts V(present).
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
      - The domain name, such as V(contoso.com). Compared case-insensitively.
    type: str
    required: true
    aliases: [domain]
  capability:
    description:
      - The domain's capability (Partner Center's C(Capability) enum, in snake_case).
    type: str
    choices: [none, email, sharepoint, office_communications_online, sharepoint_default, full_redelegation,
              share_point_public, org_id_authentication, yammer, intune, all]
    default: email
  authentication_type:
    description:
      - V(federated) needs O(federation_settings).
    type: str
    choices: [managed, federated]
    default: managed
  status:
    description:
      - The domain's status.
    type: str
    choices: [unverified, verified, pending_deletion]
    default: verified
  verification_method:
    description:
      - How the domain was verified.
    type: str
    choices: [none, dns_record, email]
    default: none
  is_default:
    description:
      - Whether the domain becomes the tenant's default domain.
    type: bool
  is_initial:
    description:
      - Whether the domain is the tenant's initial domain.
    type: bool
  root_domain:
    description:
      - The root domain, for a subdomain.
    type: str
  federation_settings:
    description:
      - The federation settings (Partner Center's C(DomainFederationSettings)). Required when
        O(authentication_type=federated).
    type: dict
    suboptions:
      issuer_uri:
        description: Issuer URI of the federation server.
        type: str
        required: true
      log_off_uri:
        description: Sign-out URI.
        type: str
        required: true
      passive_log_on_uri:
        description: Passive sign-in URI.
        type: str
        required: true
      preferred_authentication_protocol:
        description: The federation protocol.
        type: str
        choices: [ws_fed, samlp]
        required: true
      prompt_login_behavior:
        description: How the prompt=login parameter is handled.
        type: str
        choices: [translate_to_fresh_password_auth, native_support, disabled]
        required: true
      signing_certificate:
        description: The token-signing certificate, base64-encoded (a PEM body without its BEGIN/END lines).
        type: str
        required: true
      active_log_on_uri:
        description: Active sign-in URI.
        type: str
      default_interactive_authentication_method:
        description: Default interactive authentication method.
        type: str
      federation_brand_name:
        description: Brand name shown on the sign-in page.
        type: str
      metadata_exchange_uri:
        description: Metadata exchange URI.
        type: str
      next_signing_certificate:
        description: The next token-signing certificate, base64-encoded.
        type: str
      open_id_connect_discovery_endpoint:
        description: OpenID Connect discovery endpoint.
        type: str
      signing_certificate_update_status:
        description: The signing certificate update status, passed as given (an object in Partner Center's schema).
        type: dict
      supports_mfa:
        description: Whether the federation server performs multi-factor authentication.
        type: bool
  state:
    description:
      - Only V(present), since Partner Center has no call that removes a domain.
    type: str
    choices: [present]
    default: present
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.customer_info
  - name: Add a verified domain (Partner Center)
    description: The REST reference of the call this module makes.
    link: https://learn.microsoft.com/en-us/partner-center/developer/add-a-verified-domain-for-a-customer
"""

EXAMPLES = r"""
- name: Add a managed domain
  csp.onboarding.verified_domain:
    customer_id: c0000001-0000-4000-8000-000000000001
    name: contoso.com

- name: Add a federated domain
  csp.onboarding.verified_domain:
    customer_id: c0000001-0000-4000-8000-000000000001
    name: sso.contoso.com
    authentication_type: federated
    verification_method: dns_record
    federation_settings:
      issuer_uri: http://sts.contoso.com/adfs/services/trust
      log_off_uri: https://sts.contoso.com/adfs/ls/
      passive_log_on_uri: https://sts.contoso.com/adfs/ls/
      preferred_authentication_protocol: ws_fed
      prompt_login_behavior: native_support
      signing_certificate: "{{ lookup('ansible.builtin.file', 'adfs-signing.b64') }}"

- name: Add several domains
  csp.onboarding.verified_domain:
    customer_id: "{{ customer_id }}"
    name: "{{ item }}"
  loop:
    - contoso.com
    - contoso.net
    - contoso.org
"""

RETURN = r"""
action:
  description: V(created), or V(unchanged) when the customer already had the domain.
  returned: success
  type: str
  sample: created
domain:
  description:
    - The domain. After a create, Partner Center's answer in snake_case; for a domain that already existed only
      what can be read back (its name).
  returned: success
  type: dict
  sample:
    name: contoso.com
    authentication_type: managed
    capability: email
    status: verified
    verification_method: none
    is_default: false
    is_initial: false
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._domains import (
    CAPABILITIES, FEDERATION_OPTIONS, ensure_domain)
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str", required=True),
        name=dict(type="str", required=True, aliases=["domain"]),
        capability=dict(type="str", choices=CAPABILITIES, default="email"),
        authentication_type=dict(type="str", choices=["managed", "federated"], default="managed"),
        status=dict(type="str", choices=["unverified", "verified", "pending_deletion"], default="verified"),
        verification_method=dict(type="str", choices=["none", "dns_record", "email"], default="none"),
        is_default=dict(type="bool"),
        is_initial=dict(type="bool"),
        root_domain=dict(type="str"),
        federation_settings=dict(type="dict", options=FEDERATION_OPTIONS),
        state=dict(type="str", choices=["present"], default="present"),
    ), "partner_center", ensure_domain, required_if=[("authentication_type", "federated", ["federation_settings"])])


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
