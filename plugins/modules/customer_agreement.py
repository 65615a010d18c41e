#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer_agreement
short_description: Attest a customer's acceptance of the Microsoft Customer Agreement
version_added: 0.2.0
description:
  - Makes sure that Partner Center holds an attestation that the customer accepted the Microsoft Customer
    Agreement. Without one every order of the customer fails with 403, code 13605.
  - Reads first (C(GET /v1/customers/{id}/agreements?agreementType=MicrosoftCustomerAgreement)). When at least one
    attestation exists the task is unchanged; its contact and date are not compared, since an attestation records
    an acceptance that happened and cannot be changed.
  - Otherwise it reads the current template id (C(GET /v1/agreements?agreementType=MicrosoftCustomerAgreement)) and
    posts the attestation (C(POST /v1/customers/{id}/agreements)) with O(contact) and O(date_agreed).
  - A date in the future is refused before any request. An attestation whose answer is lost is read back, never
    posted twice.
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID).
    type: str
    required: true
  contact:
    description:
      - The person of the customer who accepted the agreement. Required to create, with O(contact.first_name),
        O(contact.last_name) and O(contact.email).
    type: dict
    suboptions:
      first_name:
        description: First name.
        type: str
      last_name:
        description: Last name.
        type: str
      email:
        description: E-mail address.
        type: str
      phone_number:
        description: Phone number (optional).
        type: str
  date_agreed:
    description:
      - The day the customer accepted the agreement, as C(YYYY-MM-DD). Defaults to today (UTC). A day after today
        (UTC) is refused before any request.
    type: str
  state:
    description:
      - Only V(present) (at least one attestation of the Microsoft Customer Agreement exists); Partner Center has
        no call that withdraws one.
    type: str
    choices: [present]
    default: present
notes:
  - Partner Center accepts these calls with App+User credentials only (O(refresh_token)).
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.customer
  - name: Confirm customer acceptance of the Microsoft Customer Agreement (Partner Center)
    description: The REST reference of the calls this module makes.
    link: https://learn.microsoft.com/en-us/partner-center/developer/confirm-customer-consent-customer-agreement
"""

EXAMPLES = r"""
- name: Attest the agreement the customer signed today
  csp.onboarding.customer_agreement:
    customer_id: "{{ contoso.customer.id }}"
    contact:
      first_name: Megan
      last_name: Bowen
      email: megan.bowen@contoso.com
      phone_number: "+1 425 555 0100"

- name: Attest an agreement signed on a given day
  csp.onboarding.customer_agreement:
    customer_id: c0000001-0000-4000-8000-000000000001
    date_agreed: "2026-11-30"
    contact:
      first_name: Megan
      last_name: Bowen
      email: megan.bowen@contoso.com
"""

RETURN = r"""
action:
  description: V(created), or V(unchanged) when the customer had already attested the agreement.
  returned: success
  type: str
  sample: created
agreement:
  description: The attestation (for V(unchanged), the most recent one).
  returned: success
  type: dict
  contains:
    template_id:
      description: The id of the agreement template.
      type: str
      sample: 117a69e0-0000-4000-8000-0000000000a1
    date_agreed:
      description: The day the customer accepted the agreement.
      type: str
      sample: "2026-12-02"
    contact_email:
      description: The e-mail address of the person who accepted it.
      type: str
      sample: megan.bowen@contoso.com
    agreement_type:
      description: The agreement type.
      type: str
      sample: MicrosoftCustomerAgreement
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._agreements import CONTACT_OPTIONS, ensure_agreement
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str", required=True),
        contact=dict(type="dict", options=CONTACT_OPTIONS),
        date_agreed=dict(type="str"),
        state=dict(type="str", choices=["present"], default="present"),
    ), "partner_center", ensure_agreement)


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
