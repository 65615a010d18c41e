# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: partner_center
short_description: Microsoft CSP customers from Partner Center as inventory hosts
version_added: 0.1.0
description:
  - Lists the partner's customers (every page) and adds one host per customer, named after its default domain,
    with the host variables C(customer_id), C(company_name), C(default_domain) and C(relationship_to_partner).
  - Hosts join the group O(group); O(compose), O(groups) and O(keyed_groups) build more, for example the group
    C(tenants) that C(playbooks/bulk_onboard.yml) onboards.
  - The configuration file must end in C(partner_center.yml) or C(partner_center.yaml).
author:
  - csp.onboarding maintainers (@csp-onboarding)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin.
    type: str
    required: true
    choices: [csp.onboarding.partner_center]
  group:
    description: Group that every customer host joins.
    type: str
    default: partner_center_customers
  cloud:
    description: The Microsoft cloud, which picks the default URLs.
    type: str
    choices: [public, china, usgov]
    default: public
    env:
      - name: PARTNER_CENTER_CLOUD
  partner_center_url:
    description: Root of the Partner Center REST API, without C(/v1).
    type: str
    env:
      - name: PARTNER_CENTER_URL
  authority_url:
    description: The Microsoft Entra authority host.
    type: str
    env:
      - name: PARTNER_CENTER_AUTHORITY_URL
  graph_url:
    description: Root of Microsoft Graph, without C(/v1.0); defaults per O(cloud). Not used by this plugin today.
    type: str
    env:
      - name: PARTNER_CENTER_GRAPH_URL
  partner_tenant_id:
    description: The partner's own Microsoft Entra tenant.
    type: str
    env:
      - name: PARTNER_CENTER_TENANT_ID
  client_id:
    description: Application (client) ID of the partner's app registration.
    type: str
    env:
      - name: PARTNER_CENTER_CLIENT_ID
  client_secret:
    description: Secret of the app registration.
    type: str
    env:
      - name: PARTNER_CENTER_CLIENT_SECRET
  client_certificate_path:
    description: PEM file with the app registration's certificate and private key.
    type: path
    env:
      - name: PARTNER_CENTER_CLIENT_CERTIFICATE_PATH
  refresh_token:
    description: A partner user's refresh token (App+User).
    type: str
    env:
      - name: PARTNER_CENTER_REFRESH_TOKEN
  access_token:
    description: A bearer token obtained elsewhere.
    type: str
    env:
      - name: PARTNER_CENTER_ACCESS_TOKEN
  token_cache_path:
    description: The shared token cache file (see the modules); V("") keeps tokens in memory.
    type: path
    env:
      - name: PARTNER_CENTER_TOKEN_CACHE_PATH
  validate_certs:
    description: Whether to verify TLS certificates.
    type: bool
    default: true
    env:
      - name: PARTNER_CENTER_VALIDATE_CERTS
  ca_path:
    description: CA bundle for TLS verification; wins over E(REQUESTS_CA_BUNDLE).
    type: path
    env:
      - name: PARTNER_CENTER_CA_PATH
  timeout:
    description: Seconds per HTTP request.
    type: int
    default: 30
    env:
      - name: PARTNER_CENTER_TIMEOUT
  max_retries:
    description: Retries on 429, 5xx and connection errors, honouring C(Retry-After).
    type: int
    default: 5
    env:
      - name: PARTNER_CENTER_MAX_RETRIES
  max_retry_time:
    description: Seconds of retry waiting the customer listing may spend in all.
    type: int
    default: 300
    env:
      - name: PARTNER_CENTER_MAX_RETRY_TIME
requirements:
  - requests
  - msal
"""

EXAMPLES = r"""
# inventory/partner_center.yml: the reseller customers become the group "tenants" that the bulk playbook
# (csp.onboarding.bulk_onboard) onboards, each with the customer ID the tenant_onboarding role needs.
# What to onboard for each comes from host_vars/<default domain>.yml beside this file; a customer without
# such variables is only checked.
plugin: csp.onboarding.partner_center
compose:
  tenant_onboarding_customer_id: customer_id
  ansible_connection: "'local'"
groups:
  tenants: relationship_to_partner == 'reseller'
keyed_groups:
  - key: relationship_to_partner
    prefix: relationship

# Only some customers, and a cache of the customer list for an hour:
# groups:
#   tenants: default_domain.startswith('contoso')
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/csp.onboarding/inventory
# cache_timeout: 3600
"""

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.csp.onboarding.plugins.module_utils._connection import OPTIONS, Connections
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput
from ansible_collections.csp.onboarding.plugins.module_utils._partner_center import customer_view


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "csp.onboarding.partner_center"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            ("partner_center.yml", "partner_center.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        customers = None
        if use_cache:
            try:
                customers = self._cache[cache_key]
            except KeyError:
                customers = None
        if customers is None:
            customers = self._fetch_customers()
            if self.get_option("cache"):
                self._cache[cache_key] = customers
        self._populate(customers)

    def _fetch_customers(self):
        # The connection options are the modules' (one table, _connection.OPTIONS); this plugin's
        # DOCUMENTATION declares each of them, which a unit test checks.
        params = dict((option.name, self.get_option(option.name)) for option in OPTIONS["partner_center"])
        connections = Connections(params, correlation_id=None)
        try:
            connections.check("partner_center")
            return [customer_view(customer) for customer in connections.partner_center().list_customers()]
        except (ApiError, InvalidInput) as exc:
            raise AnsibleError("Partner Center customers could not be listed: %s" % exc)
        finally:
            connections.close()

    def _populate(self, customers):
        group = self.inventory.add_group(self.get_option("group"))
        strict = self.get_option("strict")
        for customer in customers:
            host = customer["domain"] or customer["id"]
            self.inventory.add_host(host, group=group)
            host_vars = {
                "customer_id": customer["id"],
                "company_name": customer["company_name"],
                "default_domain": customer["domain"],
                "relationship_to_partner": customer["relationship_to_partner"],
            }
            for name, value in host_vars.items():
                self.inventory.set_variable(host, name, value)
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)
