# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Graph domain answers as the module returns them, and the sentence that says what to publish."""

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils._graph_domains import (
    describe_records, domain_view, record_view, validated)
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

TXT = {"@odata.type": "microsoft.graph.domainDnsTxtRecord", "isOptional": False, "label": "contoso.com",
       "recordType": "Txt", "supportedService": "Email", "ttl": 3600, "text": "MS=ms12345678"}
MX = {"@odata.type": "microsoft.graph.domainDnsMxRecord", "isOptional": True, "label": "contoso.com",
      "recordType": "Mx", "supportedService": "Email", "ttl": 3600, "mailExchange": "ms12345678.msv1.invalid",
      "preference": 32767}


def test_records_in_snake_case():
    assert record_view(TXT) == {"record_type": "txt", "label": "contoso.com", "ttl": 3600, "is_optional": False,
                                "supported_service": "Email", "text": "MS=ms12345678"}
    assert record_view(MX)["mail_exchange"] == "ms12345678.msv1.invalid" and record_view(MX)["preference"] == 32767


def test_the_records_to_publish_read_as_a_sentence():
    text = describe_records([record_view(TXT), record_view(MX)])
    assert text == ('TXT contoso.com "MS=ms12345678" (TTL 3600); '
                    'MX contoso.com ms12345678.msv1.invalid preference 32767 (TTL 3600)')


def test_domain_view_normalises_name_and_authentication_type():
    view = domain_view({"id": "Contoso.COM", "isVerified": True, "isDefault": False, "isInitial": False,
                        "authenticationType": "Managed", "supportedServices": ["Email"]})
    assert view == {"name": "contoso.com", "is_verified": True, "is_default": False, "is_initial": False,
                    "authentication_type": "managed", "supported_services": ["Email"]}
    assert domain_view(None) is None


@pytest.mark.parametrize("params, message", [
    ({"customer_id": "nope", "name": "contoso.com", "state": "present"}, "customer_id must be a GUID"),
    ({"customer_id": "c0000001-0000-4000-8000-000000000001", "name": "contoso .com", "state": "present"},
     "name must not contain spaces"),
    ({"customer_id": "c0000001-0000-4000-8000-000000000001", "name": "contoso.onmicrosoft.com",
      "state": "verified"}, "initial (Microsoft-provided) domain"),
])
def test_bad_input_is_refused(params, message):
    with pytest.raises(InvalidInput) as raised:
        validated(params)
    assert message in str(raised.value)
