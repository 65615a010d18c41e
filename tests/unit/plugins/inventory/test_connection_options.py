# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The copies of the connection options agree with the one table, ``_connection.OPTIONS``.

The table decides the modules' argument specs. The doc fragments and the inventory plugin's
DOCUMENTATION are prose written for people, and the AWX credential types inject environment
variables: each of them must say the same names, types, defaults, choices, environment variables and
``no_log`` as the table, or a user reads one thing and gets another.
"""

import os
import re

import pytest
import yaml

from ansible_collections.csp.onboarding.plugins.doc_fragments import aps as aps_fragment
from ansible_collections.csp.onboarding.plugins.doc_fragments import partner_center as partner_center_fragment
from ansible_collections.csp.onboarding.plugins.inventory import partner_center as inventory_plugin
from ansible_collections.csp.onboarding.plugins.module_utils._connection import OPTIONS, argument_spec

COLLECTION_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))
FRAGMENTS = {"partner_center": partner_center_fragment, "aps": aps_fragment}
CREDENTIAL_TYPES = {"partner_center": "partner_center.yml", "aps": "aps.yml"}
CONNECTIONS = sorted(OPTIONS)
ENV_MENTION = re.compile(r"E\(([A-Z0-9_]+)\)")


def fragment_options(connection):
    return yaml.safe_load(FRAGMENTS[connection].ModuleDocFragment.DOCUMENTATION)["options"]


def description(doc):
    text = doc.get("description", "")
    return " ".join(text) if isinstance(text, list) else text


def table(connection):
    return dict((option.name, option) for option in OPTIONS[connection])


@pytest.mark.parametrize("connection", CONNECTIONS)
def test_the_doc_fragment_documents_exactly_the_options_of_the_table(connection):
    assert set(fragment_options(connection)) == set(table(connection))


@pytest.mark.parametrize("connection", CONNECTIONS)
def test_the_doc_fragment_agrees_on_type_default_choices_and_environment_variable(connection):
    for name, doc in fragment_options(connection).items():
        option = table(connection)[name]
        assert doc.get("type", "str") == option.type, name
        assert doc.get("default") == option.default, name
        assert sorted(doc.get("choices") or []) == sorted(option.choices or []), name
        # The fragment names the environment variable in the sentence every option ends with.
        mentioned = ENV_MENTION.findall(description(doc))
        assert option.env in mentioned, "%s: the doc does not name %s" % (name, option.env)
        assert "If not set, the value of the E(%s) environment variable is used." % option.env in \
            description(doc), name


@pytest.mark.parametrize("connection", CONNECTIONS)
def test_the_argument_spec_follows_the_table(connection):
    spec = argument_spec(connection)
    for name, option in table(connection).items():
        assert spec[name]["type"] == option.type
        assert spec[name].get("default") == option.default
        assert spec[name]["fallback"][1] == [option.env]
        assert bool(spec[name].get("no_log")) == option.no_log


def test_every_secret_is_no_log_and_nothing_else_is():
    secrets = set(option.name for options in OPTIONS.values() for option in options if option.no_log)
    assert secrets == {"client_secret", "refresh_token", "access_token", "aps_consumer_secret", "aps_token"}


def test_the_inventory_plugin_declares_every_partner_center_option_with_its_environment_variable():
    docs = yaml.safe_load(inventory_plugin.DOCUMENTATION)["options"]
    for name, option in table("partner_center").items():
        assert name in docs, "the inventory plugin does not declare %s, so get_option(%r) fails" % (name, name)
        doc = docs[name]
        assert doc.get("type", "str") == option.type, name
        assert doc.get("default") == option.default, name
        assert sorted(doc.get("choices") or []) == sorted(option.choices or []), name
        assert [entry["name"] for entry in doc.get("env", [])] == [option.env], name


@pytest.mark.parametrize("connection", CONNECTIONS)
def test_the_credential_type_injects_only_variables_of_the_table_and_every_secret(connection):
    path = os.path.join(COLLECTION_ROOT, "extensions", "awx", "credential_types", CREDENTIAL_TYPES[connection])
    with open(path) as handle:
        injected = set(yaml.safe_load(handle)["injectors"].get("env", {}))
    by_env = dict((option.env, option) for option in OPTIONS[connection])
    assert injected <= set(by_env), "injected variables no option reads: %s" % sorted(injected - set(by_env))
    secrets = set(option.env for option in OPTIONS[connection] if option.no_log)
    assert secrets <= injected, "secret options the credential cannot set: %s" % sorted(secrets - injected)
