# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Customers of the partner (Partner Center ``/v1/customers``): reads, and the desired state of a customer.

This file is private to the collection.
"""

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._partner_center import customer_view


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
