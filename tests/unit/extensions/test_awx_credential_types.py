# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX credential types under extensions/awx/credential_types/ against the modules' connection options.

Every injected environment variable must be one a module option falls back to, every secret option must
be fed from a secret field, and every field must be injected somewhere. The last tests render the
injectors the way AWX does (an unset field renders as an empty string) and check that the modules'
argument validation accepts what comes out.
"""

import os
import re
from types import SimpleNamespace

import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.csp.onboarding.plugins.module_utils._connection import argument_spec

PARTNER_CENTER_ARGS = argument_spec("partner_center")
APS_ARGS = argument_spec("aps")

COLLECTION_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
CREDENTIAL_TYPES_DIR = os.path.join(COLLECTION_ROOT, "extensions", "awx", "credential_types")
ARGSPECS = {"partner_center.yml": PARTNER_CENTER_ARGS, "aps.yml": APS_ARGS}
FIELD_KEYS = {"id", "label", "type", "help_text", "secret", "multiline", "format", "choices", "default",
              "ask_at_runtime"}
NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
FILE_TEMPLATE = re.compile(r"^template(\.[a-zA-Z_][a-zA-Z0-9_]*)?$")
JINJA = ImmutableSandboxedEnvironment()

PEM_CERTIFICATE_AND_KEY = (
    "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n"
)
PEM_CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n"


def load(file_name):
    with open(os.path.join(CREDENTIAL_TYPES_DIR, file_name)) as handle:
        return yaml.safe_load(handle)


def env_fallbacks(argspec):
    """{environment variable: option name} for every option with an env_fallback."""
    names = {}
    for option, spec in argspec.items():
        fallback = spec.get("fallback")
        if fallback and fallback[0] is env_fallback:
            for env_name in fallback[1]:
                names[env_name] = option
    return names


def template_variables(template):
    """The top-level names a template reads (``tower`` for ``tower.filename.x``)."""
    return meta.find_undeclared_variables(JINJA.parse(template))


def fields(definition):
    return dict((field["id"], field) for field in definition["inputs"]["fields"])


def env_injectors(definition):
    return definition["injectors"].get("env", {})


def file_injectors(definition):
    return definition["injectors"].get("file", {})


def awx_inject(definition, credential_inputs, private_data_dir):
    """The environment AWX gives a job for a credential of this type.

    As AWX does it: only fields with a value are in the namespace (a missing boolean is False), every
    file template is written to a file named in ``tower.filename``, then every env template is rendered.
    """
    namespace = dict((key, value) for key, value in credential_inputs.items() if value or value is False)
    for field_id, field in fields(definition).items():
        if field.get("type") == "boolean" and field_id not in credential_inputs:
            namespace[field_id] = False
        if field.get("format") == "ssh_private_key" and field_id in namespace \
                and not namespace[field_id].endswith("\n"):
            namespace[field_id] += "\n"
    files = {}
    for label, template in file_injectors(definition).items():
        path = os.path.join(str(private_data_dir), "env", "tmp_" + label.replace(".", "_"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(JINJA.from_string(template).render(**namespace))
        files[label.split(".", 1)[1] if "." in label else None] = path
    filename = files[None] if None in files else SimpleNamespace(**files)
    namespace["tower"] = SimpleNamespace(filename=filename)
    return dict((name, JINJA.from_string(template).render(**namespace))
                for name, template in env_injectors(definition).items())


def validated(argspec, environment, monkeypatch):
    """The options a module gets when the task sets none of them and the job has ``environment``."""
    for name in env_fallbacks(argspec):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = ArgumentSpecValidator(argspec).validate({})
    assert result.error_messages == []
    return result.validated_parameters


@pytest.mark.parametrize("file_name", sorted(ARGSPECS))
def test_definition_is_a_valid_custom_credential_type(file_name):
    definition = load(file_name)
    assert set(definition) == {"name", "description", "kind", "inputs", "injectors"}
    assert definition["kind"] == "cloud"
    assert definition["name"] and definition["description"]
    assert set(definition["inputs"]) <= {"fields", "required"}
    ids = [field["id"] for field in definition["inputs"]["fields"]]
    assert len(ids) == len(set(ids)), "field ids must be unique"
    for field in definition["inputs"]["fields"]:
        assert set(field) <= FIELD_KEYS, field["id"]
        assert NAME.match(field["id"]) and field["id"] != "tower"
        assert field.get("label") and field.get("help_text"), field["id"]
        assert field.get("type", "string") in ("string", "boolean")
        if "choices" in field:
            assert "default" not in field or field["default"] in field["choices"]
        if field.get("type") == "boolean":
            assert not set(field) & {"secret", "multiline", "format", "choices"}
    assert set(definition["inputs"].get("required", [])) <= set(ids)
    assert set(definition["injectors"]) <= {"env", "file", "extra_vars"}
    assert all(FILE_TEMPLATE.match(label) for label in file_injectors(definition))
    for name in env_injectors(definition):
        assert NAME.match(name) and not name.startswith("ANSIBLE_"), name


@pytest.mark.parametrize("file_name", sorted(ARGSPECS))
def test_every_injected_env_var_is_an_option_fallback(file_name):
    definition = load(file_name)
    fallbacks = env_fallbacks(ARGSPECS[file_name])
    unknown = set(env_injectors(definition)) - set(fallbacks)
    assert not unknown, "no module option falls back to %s" % ", ".join(sorted(unknown))


@pytest.mark.parametrize("file_name", sorted(ARGSPECS))
def test_every_secret_option_is_injected_from_a_secret_field(file_name):
    definition = load(file_name)
    argspec = ARGSPECS[file_name]
    by_id = fields(definition)
    injected = env_injectors(definition)
    for env_name, option in env_fallbacks(argspec).items():
        if not argspec[option].get("no_log"):
            continue
        assert env_name in injected, "the secret option %s (%s) is not injected" % (option, env_name)
        sources = template_variables(injected[env_name]) & set(by_id)
        assert sources, "%s is not fed from a field" % env_name
        assert all(by_id[source].get("secret") for source in sources), \
            "%s is fed from a field without secret: true" % env_name


@pytest.mark.parametrize("file_name", sorted(ARGSPECS))
def test_secret_fields_reach_the_environment_only_through_secret_options_or_files(file_name):
    definition = load(file_name)
    argspec = ARGSPECS[file_name]
    fallbacks = env_fallbacks(argspec)
    secret_ids = set(field_id for field_id, field in fields(definition).items() if field.get("secret"))
    for env_name, template in env_injectors(definition).items():
        read = template_variables(template) & secret_ids
        if read and "tower" not in template_variables(template):
            assert argspec[fallbacks[env_name]].get("no_log"), \
                "secret field %s is injected as %s, whose option is not no_log" % (sorted(read), env_name)


@pytest.mark.parametrize("file_name", sorted(ARGSPECS))
def test_every_field_is_injected(file_name):
    definition = load(file_name)
    read = set()
    for template in list(env_injectors(definition).values()) + list(file_injectors(definition).values()):
        read |= template_variables(template)
    unused = set(fields(definition)) - read
    assert not unused, "fields never injected: %s" % ", ".join(sorted(unused))
    assert read - {"tower"} <= set(fields(definition)), "templates read undefined fields"


@pytest.mark.parametrize("file_name", sorted(ARGSPECS))
def test_file_paths_are_injected_only_when_their_field_is_set(file_name, tmp_path):
    """An empty certificate file must not hide the client secret: the path is set only with content."""
    definition = load(file_name)
    for env_name, template in env_injectors(definition).items():
        if "tower" not in template_variables(template):
            continue
        rendered = awx_inject({"injectors": {"env": {env_name: template}, "file": file_injectors(definition)},
                               "inputs": definition["inputs"]}, {}, tmp_path)
        assert rendered[env_name] == "", env_name


@pytest.mark.parametrize("file_name", sorted(ARGSPECS))
def test_choices_match_the_option(file_name):
    definition = load(file_name)
    argspec = ARGSPECS[file_name]
    fallbacks = env_fallbacks(argspec)
    by_id = fields(definition)
    for env_name, template in env_injectors(definition).items():
        option = argspec[fallbacks[env_name]]
        for source in template_variables(template) & set(by_id):
            if "choices" in by_id[source]:
                assert sorted(by_id[source]["choices"]) == sorted(option["choices"]), source


def test_partner_center_app_only_with_a_client_secret(tmp_path, monkeypatch):
    definition = load("partner_center.yml")
    environment = awx_inject(definition, {
        "cloud": "public", "partner_tenant_id": "partner.onmicrosoft.com",
        "client_id": "11111111-1111-4111-8111-111111111111", "client_secret": "s3cret"}, tmp_path)
    params = validated(PARTNER_CENTER_ARGS, environment, monkeypatch)
    assert params["cloud"] == "public"
    assert params["partner_tenant_id"] == "partner.onmicrosoft.com"
    assert params["client_secret"] == "s3cret"
    for unset in ("client_certificate_path", "refresh_token", "access_token", "partner_center_url",
                  "authority_url", "ca_path"):
        assert not params[unset], unset
    assert params["validate_certs"] is True
    assert params["token_cache_path"] is None  # not injected: the default cache of the job's container


def test_partner_center_certificate_and_ca_bundle_become_files(tmp_path, monkeypatch):
    definition = load("partner_center.yml")
    environment = awx_inject(definition, {
        "partner_tenant_id": "partner.onmicrosoft.com", "client_id": "11111111-1111-4111-8111-111111111111",
        "client_certificate": PEM_CERTIFICATE_AND_KEY.rstrip("\n"), "refresh_token": "rt",
        "partner_center_url": "https://127.0.0.1:8443", "authority_url": "https://127.0.0.1:8443",
        "ca_bundle": PEM_CA}, tmp_path)
    params = validated(PARTNER_CENTER_ARGS, environment, monkeypatch)
    assert params["cloud"] == "public"  # a credential saved without the field still gives a valid cloud
    with open(params["client_certificate_path"]) as handle:
        assert handle.read() == PEM_CERTIFICATE_AND_KEY
    with open(params["ca_path"]) as handle:
        assert handle.read() == PEM_CA
    assert not params["client_secret"]
    assert params["refresh_token"] == "rt"
    assert params["partner_center_url"] == params["authority_url"] == "https://127.0.0.1:8443"


@pytest.mark.parametrize("inputs, expected", [
    ({"aps_url": "https://cp.example", "aps_consumer_key": "key", "aps_consumer_secret": "secret"},
     {"aps_consumer_key": "key", "aps_consumer_secret": "secret", "aps_token": ""}),
    ({"aps_url": "https://cp.example", "aps_token": "token"},
     {"aps_consumer_key": "", "aps_consumer_secret": "", "aps_token": "token"}),
])
def test_aps_credentials(tmp_path, monkeypatch, inputs, expected):
    definition = load("aps.yml")
    params = validated(APS_ARGS, awx_inject(definition, inputs, tmp_path), monkeypatch)
    assert params["aps_url"] == "https://cp.example"
    for option, value in expected.items():
        assert params[option] == value, option
    assert not params["ca_path"]
    assert params["validate_certs"] is True


def test_aps_ca_bundle(tmp_path, monkeypatch):
    definition = load("aps.yml")
    environment = awx_inject(definition, {"aps_url": "https://cp.example", "aps_token": "t", "ca_bundle": PEM_CA},
                             tmp_path)
    params = validated(APS_ARGS, environment, monkeypatch)
    with open(params["ca_path"]) as handle:
        assert handle.read() == PEM_CA
