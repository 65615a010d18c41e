#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer
short_description: Create a Microsoft CSP customer tenant through Partner Center, or confirm that it exists
version_added: 0.2.0
description:
  - Makes sure that a customer whose initial domain is O(domain) exists, and creates the tenant with
    C(POST /v1/customers) when it does not.
  - Reads first (C(GET /v1/customers) filtered by C(Domain), every page, matched exactly and case-insensitively).
    A customer that exists is reported unchanged; the other options are only used to create one, since the
    tenant's identity is its initial domain.
  - Before creating, every input is checked, then the prefix is checked with
    C(GET /v1/validations/checkdomainavailability/{prefix}) (a prefix held by any other tenant fails the task)
    and, unless O(validate_address=false), the address with C(POST /v1/validations/address) (a refused address
    fails the task with the addresses Partner Center suggests). Nothing is written when any of these fails.
  - The create carries one C(MS-RequestId) across the transport's retries, so a lost answer is replayed, not
    applied twice. When the answer is still missing after the retries, the customer is read back by its domain,
    and the task converges on the one tenant that was created, and warns that its admin credentials were not
    received.
  - The initial admin's password is returned by Partner Center once, in the answer to the create. It is
    written to O(admin_credentials_path) only, and appears in no result, diff or log. Without that option the
    task warns that the password is not kept.
  - Partner Center has no call that deletes a customer, so O(state) only accepts V(present).
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  domain:
    description:
      - The initial domain, as its prefix (V(contoso)) or whole (V(contoso.onmicrosoft.com)). The prefix must be
        a DNS label (letters, digits and hyphens, at most 63) and is what Partner Center checks for availability.
    type: str
    required: true
  company_name:
    description:
      - The customer's company name. Required to create.
    type: str
  billing_profile:
    description:
      - The customer's billing profile. Required to create, with every sub-option that is not marked optional.
        A task that lacks some fails before any write and names each missing field.
    type: dict
    suboptions:
      email:
        description: The billing contact's e-mail address.
        type: str
      first_name:
        description: The billing contact's first name.
        type: str
      last_name:
        description: The billing contact's last name.
        type: str
      phone_number:
        description: The billing contact's phone number.
        type: str
      culture:
        description: The customer's culture (language-COUNTRY), such as V(en-US) or V(de-DE).
        type: str
        default: en-US
      language:
        description: The customer's language, an ISO 639-1 code such as V(en) or V(de).
        type: str
        default: en
      address:
        description: The billing address.
        type: dict
        suboptions:
          address_line1:
            description: The first line of the street address.
            type: str
          address_line2:
            description: The second line of the street address (optional).
            type: str
          city:
            description: The city.
            type: str
          state:
            description: The state or province, where the country has them (optional).
            type: str
          postal_code:
            description: The postal code.
            type: str
          country:
            description: The country, an ISO 3166-1 alpha-2 code such as V(US) or V(GB) (upper-cased).
            type: str
  organization_registration_number:
    description:
      - The organization's registration number, for the countries where Partner Center requires one.
    type: str
  validate_address:
    description:
      - Validate the billing address with C(POST /v1/validations/address) before creating. A refused address
        fails the task, before any write, with the suggested addresses in the message.
      - The validation writes nothing; it runs in check mode too.
    type: bool
    default: true
  admin_credentials_path:
    description:
      - On create, the initial admin's user name and password are written to this file on the host that runs
        the module (the controller, through the collection's action plugin), as a JSON
        object with the keys C(user_name) and C(password), with mode 0600.
      - The file is created before the write with C(O_EXCL) and C(O_NOFOLLOW), so a path that already exists (a
        file or a link) fails the task before anything is created, so a password is never overwritten. Keep the file
        safe, or move the password to a vault and delete the file.
      - Not read or written when the customer already exists.
    type: path
  state:
    description:
      - Only V(present), since Partner Center has no call that deletes a customer.
    type: str
    choices: [present]
    default: present
notes:
  - The address check, the prefix check and the create are allowed to app-only and App+User credentials.
  - A new customer can be onboarded in the same play at once (agreement, domains, users) with the returned
    RV(customer.id).
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.customer_agreement
  - module: csp.onboarding.customer_info
  - name: Create a customer (Partner Center)
    description: The REST reference of the create call.
    link: https://learn.microsoft.com/en-us/partner-center/developer/create-a-customer
  - name: Validate an address (Partner Center)
    description: The address validation this module runs before creating.
    link: https://learn.microsoft.com/en-us/partner-center/developer/validate-an-address
"""

EXAMPLES = r"""
- name: Create the customer, keeping the initial admin credentials in a 0600 file
  csp.onboarding.customer:
    domain: contoso
    company_name: Contoso Ltd
    billing_profile:
      email: billing@contoso.com
      first_name: Megan
      last_name: Bowen
      phone_number: "+1 425 555 0100"
      culture: en-US
      language: en
      address:
        address_line1: One Microsoft Way
        city: Redmond
        state: WA
        postal_code: "98052"
        country: US
    admin_credentials_path: "{{ playbook_dir }}/credentials/contoso-admin.json"
  register: contoso

- name: Onboard it at once with its id
  csp.onboarding.verified_domain:
    customer_id: "{{ contoso.customer.id }}"
    name: contoso.com

- name: Only check that a customer exists (fails when it does not, since nothing is given to create it)
  csp.onboarding.customer:
    domain: contoso.onmicrosoft.com
"""

RETURN = r"""
action:
  description: V(created), or V(unchanged) when a customer with this initial domain already existed.
  returned: success
  type: str
  sample: created
customer:
  description: The customer. In check mode, before a create, only O(domain) and O(company_name) are known.
  returned: success
  type: dict
  contains:
    id:
      description: The customer's tenant ID.
      type: str
      sample: 3b1c2f9e-5a4d-4e8b-9c7a-0d2e6f1a8b3c
    company_name:
      description: Company name.
      type: str
      sample: Contoso Ltd
    domain:
      description: The initial domain.
      type: str
      sample: contoso.onmicrosoft.com
    relationship_to_partner:
      description: Relationship to the partner, such as V(reseller).
      type: str
      sample: reseller
admin_user_name:
  description: The initial admin's user name (never the password).
  returned: when the customer was created and Partner Center returned it
  type: str
  sample: admin@contoso.onmicrosoft.com
admin_credentials_path:
  description:
    - Where the initial admin's credentials were written (in check mode, where they would be); null when they
      were not received.
  returned: when the customer was created (or would be) and O(admin_credentials_path) is set
  type: str
  sample: /home/ops/credentials/contoso-admin.json
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._customers import BILLING_OPTIONS, ensure_customer
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        domain=dict(type="str", required=True),
        company_name=dict(type="str"),
        billing_profile=dict(type="dict", options=BILLING_OPTIONS),
        organization_registration_number=dict(type="str"),
        validate_address=dict(type="bool", default=True),
        admin_credentials_path=dict(type="path"),
        state=dict(type="str", choices=["present"], default="present"),
    ), "partner_center", ensure_customer, secret_keys=("password",))


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
