# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks that run before any request, so bad input never reaches a write endpoint.

Each function returns the normalised value or raises :class:`InvalidInput` with a message meant for the
user that names the option. ``InvalidInput`` is the one channel for bad input: the module base reports it
without a traceback, while any other exception keeps its traceback as the bug it is.

This file is private to the collection.
"""

import base64
import binascii
import re

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# The local part of a UPN: letters, digits and the symbols Microsoft Entra allows, no leading or
# trailing dot and no two dots in a row (documented Entra UPN rules).
UPN_LOCAL = re.compile(r"^(?!\.)(?!.*\.\.)[A-Za-z0-9'._!#^~&+-]{1,64}(?<!\.)$")
# Values Partner Center fields hold are short; a 10 kB name is a mistake, not a name.
MAX_TEXT = 256


class InvalidInput(Exception):
    """Input that the user must correct, found before any write; the message names the option."""


def guid(value, name):
    text = str(value).strip() if value is not None else ""
    if not GUID.match(text):
        raise InvalidInput("%s must be a GUID such as 00000000-0000-0000-0000-000000000000, got %s"
                           % (name, _shown(value)))
    return text.lower()


def domain_name(value, name="name"):
    """A DNS domain name, lower-cased. Refuses spaces, a trailing dot and labels that DNS refuses."""
    text = value if isinstance(value, str) else ""
    if not text.strip():
        raise InvalidInput("%s must be a domain name such as contoso.com, got an empty value" % name)
    if text != text.strip() or " " in text:
        raise InvalidInput("%s must not contain spaces, got %s" % (name, _shown(value)))
    if text.endswith("."):
        raise InvalidInput("%s must not end with a dot, got %s" % (name, _shown(value)))
    labels = text.lower().split(".")
    if len(text) > 253 or len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        raise InvalidInput("%s must be a domain name such as contoso.com, got %s" % (name, _shown(value)))
    return text.lower()


def user_principal_name(value, name="user_principal_name"):
    text = value if isinstance(value, str) else ""
    local, at, domain = text.rpartition("@")
    if not at or not UPN_LOCAL.match(local):
        raise InvalidInput("%s must look like local@domain (letters, digits and ' . _ ! # ^ ~ & + - before the @), "
                           "got %s" % (name, _shown(value)))
    return "%s@%s" % (local, domain_name(domain, name + " domain"))


def country_code(value, name="usage_location"):
    """An ISO 3166-1 alpha-2 code, upper-cased. Only the shape is checked: the list changes."""
    text = str(value).strip() if value is not None else ""
    if not re.match(r"^[A-Za-z]{2}$", text):
        raise InvalidInput("%s must be a two-letter ISO 3166-1 country code such as US or DE, got %s"
                           % (name, _shown(value)))
    return text.upper()


def text_field(value, name, max_length=MAX_TEXT):
    if value is None:
        return None
    if len(value) > max_length:
        raise InvalidInput("%s is %d characters long; at most %d are allowed" % (name, len(value), max_length))
    if any(ord(char) < 32 for char in value):
        raise InvalidInput("%s must not contain control characters" % name)
    return value


def base64_text(value, name):
    compact = re.sub(r"\s+", "", value or "")
    try:
        if not compact or base64.b64encode(base64.b64decode(compact, validate=True)).decode("ascii") != compact:
            raise ValueError()
    except (ValueError, binascii.Error):
        raise InvalidInput("%s must be a base64-encoded certificate (the DER bytes, as in a PEM body without "
                           "its BEGIN/END lines)" % name)
    return compact


def positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput("%s must be a positive integer, got %s" % (name, _shown(value)))
    return value


def _shown(value):
    """A value as an error message may show it: quoted, and cut short if long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
