"""The benchmark's workload: T customer tenants x U users, as a simulator seed and an Ansible inventory.

    python benchmarks/workload.py --tenants 100 --users 20 [--out benchmarks/scratch/t100-u20]

writes ``seed.json`` (for ``Sim.reset`` or ``python -m simulator --seed``) and ``inventory/`` (group
``tenants``, one host per customer, named after its default domain, with the ``tenant_onboarding_*``
variables of the ``csp.onboarding.tenant_onboarding`` role in ``host_vars/``) under ``--out``.

What a tenant looks like, before onboarding (the seed):
  - a customer of the demo partner (the DEMO credentials of tests/integration/harness.py), with its
    default domain ``bench-tNNNNN.onmicrosoft.com`` and one existing user (``admin@`` that domain, not
    listed in the inventory, as every real tenant has one);
  - an active GDAP relationship (Microsoft Graph) of the partner with that customer, granting the roles
    the onboarding needs (User Administrator, License Administrator), two years long;
  - the simulator's default subscribed SKUs, among them O365_BUSINESS_PREMIUM with 1000 units (more
    when U needs them);
  - a CloudBlue Commerce account (system id 3000000 + N) and no ownership-validation bypass.
What the inventory asks for each tenant:
  - the GDAP check: ``tenant_onboarding_gdap: {required_roles: [User Administrator, License Administrator]}``
    (group_vars, the same for every tenant);
  - one managed domain ``bench-tNNNNN.example.com`` (``tenant_onboarding_domains``);
  - U users ``userUUU@bench-tNNNNN.example.com`` with first/last name, usage_location, an initial
    password and one license ``{sku: O365_BUSINESS_PREMIUM}`` (the users are on the new domain, so the
    order domains -> users matters, as in real life);
  - the APS bypass ``{app_instance_id, account_id}`` (the bypass's ms_tenant_id is the customer id).

``features`` leaves parts out (``gdap``, ``licenses``): benchmarks/run.py does so for a collection whose
role or modules do not take them yet, and says so in its output.

Everything is deterministic: the same T and U give the same files, byte for byte.
"""

import argparse
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "scratch")

# The demo partner and its credentials (tests/integration/harness.py DEMO, tests/simulator/seeds/demo.yml);
# repeated here so that this file has no import-time dependency on the test tree.
PARTNER_TENANT_ID = "4b1f2c3d-0000-4000-8000-000000000001"
PARTNER_DOMAIN = "demopartner.onmicrosoft.com"
CLIENT_ID = "7d5c9a10-0000-4000-8000-0000000000a1"
CLIENT_SECRET = "demo-client-secret-not-a-real-one"
REFRESH_TOKEN = "demo-refresh-token-not-a-real-one"
APS_CONSUMER_KEY = "demo-aps-consumer-key"
APS_CONSUMER_SECRET = "demo-aps-consumer-secret-not-real"
APS_TOKEN = "demo-aps-token-not-a-real-one"
APP_INSTANCE_ID = "a7000000-0000-4000-8000-000000000365"
OFFICE365_APP_TYPE = "http://www.parallels.com/Office365/Office365app"
ACCOUNT_BASE = 3000000
# The license every benchmark user gets: the simulator's default catalog has it with 1000 units.
LICENSE_SKU = "O365_BUSINESS_PREMIUM"
LICENSE_SKU_ID = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
DEFAULT_UNITS = 1000
# The Entra roles the onboarding needs (domains and users: User Administrator; licenses: License
# Administrator), by name in the inventory and by role definition (template) id in the seed.
REQUIRED_ROLES = ("User Administrator", "License Administrator")
ROLE_IDS = {"User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
            "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a"}
FEATURES = ("gdap", "licenses")


def customer_id(number):
    return "bc%06x-0000-4000-8000-%012x" % (number, number)


def account_aps_id(number):
    return "ac%06x-0000-4000-8000-%012x" % (number, number)


def host_name(number):
    return "bench-t%05d.onmicrosoft.com" % number


def managed_domain(number):
    return "bench-t%05d.example.com" % number


def user_specs(number, users, features=FEATURES):
    domain = managed_domain(number)
    specs = []
    for index in range(1, users + 1):
        spec = {
            "user_principal_name": "user%03d@%s" % (index, domain),
            "first_name": "User%03d" % index,
            "last_name": "Tenant%05d" % number,
            "usage_location": "US",
            # Benchmark data only: the simulator never returns it and it opens nothing.
            "password": "Bench-Init-%05d-%03d!" % (number, index),
        }
        if "licenses" in features:
            spec["licenses"] = [{"sku": LICENSE_SKU}]
        specs.append(spec)
    return specs


def relationship_name(number):
    return "Bench onboarding %05d" % number


def subscribed_skus(users):
    """None (the simulator's default catalog) while its 1000 units suffice, else that SKU alone with enough units."""
    if users + 1 <= DEFAULT_UNITS:
        return None
    return [{"id": LICENSE_SKU_ID, "part_number": LICENSE_SKU, "name": "Microsoft 365 Business Standard",
             "active_units": users + 1, "service_plans": [
                 {"id": "9aaf7827-d63c-4b61-89c3-182f06f82e5c", "service_name": "EXCHANGE_S_STANDARD",
                  "display_name": "Exchange Online (Plan 1)"},
                 {"id": "57ff2da0-773e-42df-b2af-ffb7a2317929", "service_name": "TEAMS1",
                  "display_name": "Microsoft Teams"}]}]


def seed(tenants, users=0):
    """The simulator seed: the demo partner with T customers (one GDAP relationship each), and the APS side
    (accounts, no bypass)."""
    customers = []
    relationships = []
    accounts = []
    skus = subscribed_skus(users)
    for number in range(1, tenants + 1):
        customer = {
            "id": customer_id(number),
            "company_name": "Bench Customer %05d" % number,
            "domain": host_name(number),
            "users": [{"user_principal_name": "admin@" + host_name(number), "first_name": "Tenant",
                       "last_name": "Admin", "usage_location": "US"}],
        }
        if skus is not None:
            customer["subscribed_skus"] = skus
        customers.append(customer)
        relationships.append({"display_name": relationship_name(number), "customer_id": customer_id(number),
                              "roles": [ROLE_IDS[name] for name in REQUIRED_ROLES], "duration": "P730D",
                              "status": "active"})
        accounts.append({"id": ACCOUNT_BASE + number, "aps_id": account_aps_id(number),
                         "name": "Bench Customer %05d" % number})
    return {
        "settings": {"token_lifetime": 3600, "pc_max_page_size": 500, "aps_max_page_size": 1000,
                     "custom_domains_format": "names", "create_user_status": 201, "add_domain_status": 201,
                     "bypass_status": 200},
        "partners": [{
            "tenant_id": PARTNER_TENANT_ID,
            "domain": PARTNER_DOMAIN,
            "apps": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}],
            "refresh_tokens": [REFRESH_TOKEN],
            "customers": customers,
            "gdap_relationships": relationships,
        }],
        "aps": {
            "consumers": [{"key": APS_CONSUMER_KEY, "secret": APS_CONSUMER_SECRET,
                           "allowed_operations": [{"type": OFFICE365_APP_TYPE, "verb": "POST"}]}],
            "tokens": [APS_TOKEN],
            "accounts": accounts,
            "applications": [{"aps_id": APP_INSTANCE_ID, "type": OFFICE365_APP_TYPE + "/1.16",
                              "name": "Microsoft 365"}],
            "bypasses": [],
        },
    }


GROUP_VARS = """\
---
# Generated by benchmarks/workload.py. Modules (and uri) run on the controller with the Python of
# ansible-playbook, as in playbooks/inventory/demo/.
ansible_connection: local
ansible_python_interpreter: "{{ ansible_playbook_python }}"
"""


GDAP_VARS = """\
# The GDAP check before any write to a tenant: an active relationship must grant these roles.
tenant_onboarding_gdap:
  required_roles:
%s""" % "".join("    - %s\n" % name for name in REQUIRED_ROLES)


def write_inventory(directory, tenants, users, features=FEATURES):
    """hosts.yml + group_vars/all.yml + one host_vars file per tenant (JSON is valid YAML: fast to parse)."""
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(os.path.join(directory, "host_vars"))
    os.makedirs(os.path.join(directory, "group_vars"))
    with open(os.path.join(directory, "group_vars", "all.yml"), "w") as handle:
        handle.write(GROUP_VARS + (GDAP_VARS if "gdap" in features else ""))
    hosts = {"tenants": {"hosts": dict((host_name(number), None) for number in range(1, tenants + 1))}}
    with open(os.path.join(directory, "hosts.yml"), "w") as handle:
        handle.write("---\n# Generated by benchmarks/workload.py: %d tenants x %d users.\n" % (tenants, users))
        json.dump(hosts, handle, indent=1)
        handle.write("\n")
    for number in range(1, tenants + 1):
        host_vars = {
            "tenant_onboarding_customer_id": customer_id(number),
            "tenant_onboarding_domains": [{"name": managed_domain(number)}],
            "tenant_onboarding_users": user_specs(number, users, features),
            "tenant_onboarding_aps_bypass": {"app_instance_id": APP_INSTANCE_ID,
                                             "account_id": ACCOUNT_BASE + number},
        }
        with open(os.path.join(directory, "host_vars", host_name(number) + ".yml"), "w") as handle:
            handle.write("---\n")
            json.dump(host_vars, handle, indent=1)
            handle.write("\n")


def generate(tenants, users, out=None, features=FEATURES):
    """Write seed.json and inventory/ under ``out`` (default benchmarks/scratch/t<T>-u<U>, with a suffix naming
    what ``features`` leaves out); return their paths and the seed dict. The seed is the same whatever the
    features: only what the inventory asks for changes."""
    features = tuple(name for name in FEATURES if name in features)
    left_out = [name for name in FEATURES if name not in features]
    out = out or os.path.join(WORK, "t%d-u%d%s" % (tenants, users, "".join("-no-" + name for name in left_out)))
    os.makedirs(out, exist_ok=True)
    seed_dict = seed(tenants, users)
    seed_path = os.path.join(out, "seed.json")
    with open(seed_path, "w") as handle:
        json.dump(seed_dict, handle)
    inventory = os.path.join(out, "inventory")
    write_inventory(inventory, tenants, users, features)
    return {"dir": out, "seed_path": seed_path, "inventory": inventory, "seed": seed_dict,
            "tenants": tenants, "users": users, "features": features}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", "-T", type=int, default=100)
    parser.add_argument("--users", "-U", type=int, default=20)
    parser.add_argument("--out", help="directory (default benchmarks/scratch/t<T>-u<U>)")
    parser.add_argument("--without", action="append", choices=FEATURES, default=[],
                        help="leave a part of the onboarding out of the inventory (repeatable)")
    options = parser.parse_args(argv)
    result = generate(options.tenants, options.users, options.out,
                      tuple(name for name in FEATURES if name not in options.without))
    print("seed: %s\ninventory: %s" % (result["seed_path"], result["inventory"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
