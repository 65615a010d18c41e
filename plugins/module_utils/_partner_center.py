# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Partner Center resource calls: customers, custom and verified domains, customer users.

Collections are read to the end: paging follows ``links.next`` (its uri and its headers, which carry
the ``MS-ContinuationToken``) until there is none. Keys compared by users (UPNs, domains) are compared
case-insensitively.

This file is private to the collection.
"""

import json

from urllib.parse import quote, urlencode

from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

API_PREFIX = "/v1"
PAGE_SIZE = 500  # the page size of Partner Center's own deleted-users example
DELETED_USERS_FILTER = {"Field": "UserState", "Value": "Inactive", "Operator": "equals"}
USER_OBJECT = {"objectType": "CustomerUser"}


class PartnerCenterClient(object):

    def __init__(self, http):
        self.http = http

    # --- collections ---------------------------------------------------------------------------

    def pages(self, path, params=None):
        """Every item of a seek-paged collection, following ``links.next`` to the last page."""
        url = API_PREFIX + path + ("?" + urlencode(params) if params else "")
        headers = None
        seen_tokens = set()
        while True:
            data = self.http.request("GET", url, headers=headers).data or {}
            yield from data.get("items") or []
            link = (data.get("links") or {}).get("next")
            if not link or not link.get("uri"):
                return
            headers = dict((h["key"], h["value"]) for h in link.get("headers") or [] if h.get("key"))
            token = headers.get("MS-ContinuationToken") or link["uri"]
            if token in seen_tokens:
                raise ApiError("Partner Center returned the same continuation token twice while listing %s; "
                               "stopping instead of looping." % path, method="GET", path=API_PREFIX + path)
            seen_tokens.add(token)
            # Links in bodies are relative and carry no /v1 (documented); do not add it twice.
            url = link["uri"] if link["uri"].startswith(API_PREFIX + "/") else API_PREFIX + link["uri"]

    # --- customers -----------------------------------------------------------------------------

    def get_customer(self, customer_id):
        """The customer, or None when Partner Center answers 404."""
        try:
            return self.http.request("GET", "%s/customers/%s" % (API_PREFIX, customer_id)).data
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def list_customers(self, filter_field=None, value=None):
        params = {"size": PAGE_SIZE}
        if filter_field:
            params["filter"] = json.dumps({"Field": filter_field, "Value": value, "Operator": "starts_with"})
        return self.pages("/customers", params)

    def find_customers_by_domain(self, domain):
        """Customers whose default domain is ``domain`` exactly (the API only offers starts_with)."""
        wanted = domain.lower()
        return [customer for customer in self.list_customers("Domain", domain)
                if customer_domain(customer) == wanted]

    # --- domains -------------------------------------------------------------------------------

    def custom_domain_names(self, customer_id):
        """The customer's custom domain names, lower-cased (``GET customDomains``).

        The call is documented without a response example; it is read both as a list of names and as a
        list of objects with ``name`` (inferred), bare or wrapped in a collection.
        """
        data = self.http.request("GET", "%s/customers/%s/customDomains" % (API_PREFIX, customer_id)).data
        items = data.get("items") if isinstance(data, dict) else data
        return set(domain_names(items or []))

    @staticmethod
    def customer_domain_names(customer):
        """The domains a customer resource names: its ``customDomains`` and its default domain."""
        names = set(domain_names(customer.get("customDomains") or []))
        if customer_domain(customer):
            names.add(customer_domain(customer))
        return names

    def add_verified_domain(self, customer_id, body):
        return self.http.request("POST", "%s/customers/%s/verifieddomain" % (API_PREFIX, customer_id),
                                 json=body).data

    def domain_exists_anywhere(self, domain):
        """``HEAD /v1/domains/{domain}``: 200 when some tenant has it, 404 when it is free (documented)."""
        response = self.http.send("HEAD", "%s/domains/%s" % (API_PREFIX, quote(domain, safe="")))
        if response.status_code in (200, 404):
            return response.status_code == 200
        raise self.http.error_from("HEAD", response)

    # --- users ---------------------------------------------------------------------------------

    def list_users(self, customer_id, deleted=False):
        params = {"size": PAGE_SIZE}
        if deleted:
            # Soft-deleted users are only listed with this filter (documented).
            params["filter"] = json.dumps(DELETED_USERS_FILTER)
        return self.pages("/customers/%s/users" % customer_id, params)

    def find_user(self, customer_id, user_principal_name):
        """The active user with this UPN, else the soft-deleted one, else None (the UPN case-insensitive).

        Partner Center documents no UPN filter, so every page is read and matched here.
        """
        wanted = user_principal_name.lower()
        for deleted in (False, True):
            for user in self.list_users(customer_id, deleted=deleted):
                if (user.get("userPrincipalName") or "").lower() == wanted:
                    return user
        return None

    def create_user(self, customer_id, body):
        body = dict(body, attributes=USER_OBJECT)
        return self.http.request("POST", "%s/customers/%s/users" % (API_PREFIX, customer_id), json=body).data

    def update_user(self, customer_id, user_id, body):
        body = dict(body, attributes=USER_OBJECT)
        return self.http.request("PATCH", "%s/customers/%s/users/%s" % (API_PREFIX, customer_id, user_id),
                                 json=body).data

    def restore_user(self, customer_id, user_id):
        """Documented restore: PATCH ``State: active``; the other fields come back by themselves."""
        return self.update_user(customer_id, user_id, {"state": "active"})

    def delete_user(self, customer_id, user_id):
        self.http.request("DELETE", "%s/customers/%s/users/%s" % (API_PREFIX, customer_id, user_id))

    # --- licenses and directory roles ----------------------------------------------------------
    # subscribedskus, licenses, directoryroles and usermembers are single collections, not paged
    # (documented); every call is App+User only.

    def list_subscribed_skus(self, customer_id):
        """The customer's SKUs with their unit counts and service plans (``GET subscribedskus``)."""
        return collection_items(
            self.http.request("GET", "%s/customers/%s/subscribedskus" % (API_PREFIX, customer_id)).data)

    def list_user_licenses(self, customer_id, user_id, license_group_ids=None):
        """The user's licenses. Without ``license_group_ids`` Partner Center answers group1 only (documented)."""
        path = "%s/customers/%s/users/%s/licenses" % (API_PREFIX, customer_id, user_id)
        if license_group_ids:
            path += "?" + urlencode([("licenseGroupIds", group) for group in license_group_ids])
        return collection_items(self.http.request("GET", path).data)

    def update_user_licenses(self, customer_id, user_id, assign=None, remove=None):
        """``POST licenseupdates``: ``assign`` is ``[(sku_id, [excluded plan ids])]``, ``remove`` SKU ids.

        Partner Center takes licenses of one license group per request (documented): the caller groups them.
        """
        body = {
            "licensesToAssign": [{"skuId": sku_id, "excludedPlans": list(excluded) or None}
                                 for sku_id, excluded in assign or []] or None,
            "licensesToRemove": list(remove or []) or None,
            "attributes": {"objectType": "LicenseUpdate"},
        }
        return self.http.request("POST", "%s/customers/%s/users/%s/licenseupdates"
                                 % (API_PREFIX, customer_id, user_id), json=body).data

    def list_directory_roles(self, customer_id):
        return collection_items(
            self.http.request("GET", "%s/customers/%s/directoryroles" % (API_PREFIX, customer_id)).data)

    def list_role_members(self, customer_id, role_id):
        return collection_items(self.http.request(
            "GET", "%s/customers/%s/directoryroles/%s/usermembers" % (API_PREFIX, customer_id, role_id)).data)

    def add_role_member(self, customer_id, role_id, user):
        """Add a user (a Partner Center user: ``id``, ``userPrincipalName``, ``displayName``) to a role."""
        body = {"id": user.get("id"), "displayName": user.get("displayName"),
                "userPrincipalName": user.get("userPrincipalName"), "attributes": {"objectType": "UserMember"}}
        return self.http.request("POST", "%s/customers/%s/directoryroles/%s/usermembers"
                                 % (API_PREFIX, customer_id, role_id), json=body).data

    def remove_role_member(self, customer_id, role_id, user_id):
        self.http.request("DELETE", "%s/customers/%s/directoryroles/%s/usermembers/%s"
                          % (API_PREFIX, customer_id, role_id, user_id))

    # --- new customers: validations and create ------------------------------------------------

    def domain_prefix_available(self, prefix):
        """``GET validations/checkdomainavailability/{prefix}``: True when ``<prefix>.onmicrosoft.com`` is free."""
        data = self.http.request("GET", "%s/validations/checkdomainavailability/%s"
                                 % (API_PREFIX, quote(prefix, safe=""))).data
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.strip().lower() in ("true", "false"):
            return data.strip().lower() == "true"
        raise ApiError("Partner Center answered the domain availability check of %s with %r instead of true or "
                       "false" % (prefix, data), method="GET", path=API_PREFIX + "/validations/checkdomainavailability")

    def validate_address(self, address):
        """``POST validations/address``: ``{originalAddress, suggestedAddresses, status, validationMessage}``.

        A validation, not a write: Partner Center documents it as a pre-check and stores nothing.
        """
        return self.http.request("POST", "%s/validations/address" % API_PREFIX, json=address).data or {}

    def create_customer(self, body):
        """``POST /v1/customers``; the answer carries ``userCredentials`` (the initial admin) once, here only."""
        return self.http.request("POST", "%s/customers" % API_PREFIX, json=body).data or {}

    # --- agreements (App+User only) ------------------------------------------------------------

    def agreement_templates(self, agreement_type):
        """The agreement templates (``AgreementMetaData``) of one type."""
        return collection_items(self.http.request(
            "GET", "%s/agreements?%s" % (API_PREFIX, urlencode({"agreementType": agreement_type}))).data)

    def list_customer_agreements(self, customer_id, agreement_type):
        """The customer's attestations of one type (without the type, only Microsoft Cloud Agreement ones)."""
        return collection_items(self.http.request("GET", "%s/customers/%s/agreements?%s" % (
            API_PREFIX, customer_id, urlencode({"agreementType": agreement_type}))).data)

    def create_customer_agreement(self, customer_id, body):
        return self.http.request("POST", "%s/customers/%s/agreements" % (API_PREFIX, customer_id), json=body).data


def collection_items(data):
    """The items of a Collection answer that is not paged (a bare list is read as the items)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return data.get("items") or []
    return []


def customer_domain(customer):
    return ((customer or {}).get("companyProfile") or {}).get("domain", "").lower()


def domain_names(items):
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name:
            yield name.lower()


def customer_view(customer, custom_domains=None):
    """The customer as the info module returns it."""
    profile = customer.get("companyProfile") or {}
    view = {
        "id": customer.get("id"),
        "company_name": profile.get("companyName"),
        "domain": profile.get("domain"),
        "relationship_to_partner": customer.get("relationshipToPartner"),
    }
    domains = custom_domains if custom_domains is not None else customer.get("customDomains")
    if domains is not None:
        view["custom_domains"] = sorted(domain_names(domains))
    return view
