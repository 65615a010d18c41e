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
# The officially assigned ISO 3166-1 alpha-2 codes (249, as of the 2024 list), one initial letter a line.
COUNTRY_CODES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW
""".split())
# Codes people write that ISO 3166-1 does not assign to the country they mean.
COUNTRY_HINTS = {"UK": "GB", "EL": "GR", "EN": "GB"}


class InvalidInput(ValueError):
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
    """An officially assigned ISO 3166-1 alpha-2 code, upper-cased (``UK`` is answered "did you mean GB?")."""
    text = str(value).strip() if value is not None else ""
    if not re.match(r"^[A-Za-z]{2}$", text):
        raise InvalidInput("%s must be a two-letter ISO 3166-1 country code such as US or DE, got %s"
                           % (name, _shown(value)))
    code = text.upper()
    if code not in COUNTRY_CODES:
        hint = COUNTRY_HINTS.get(code)
        raise InvalidInput("%s %s is not an ISO 3166-1 alpha-2 country code%s" % (
            name, _shown(value), "; did you mean %s?" % hint if hint else " (such as US, DE or GB)"))
    return code


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


def int_range(value, name, low, high):
    """An integer from ``low`` to ``high``, both included."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput("%s must be an integer from %d to %d, got %s" % (name, low, high, _shown(value)))
    return value


def positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput("%s must be a positive integer, got %s" % (name, _shown(value)))
    return value


def _shown(value):
    """A value as an error message may show it: quoted, and cut short if long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
