# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comparing what a task asks for with what the API holds, and masking secrets.

The one place that decides whether a field differs. Only the keys a task sets are compared, after
the values on both sides are normalised (case of names and domains, enum spelling).

This file is private to the collection.
"""

import json
import re

try:
    from urllib.parse import quote, quote_plus
except ImportError:  # Python 2 (ansible-core 2.16 sanity compiles module_utils for it)
    from urllib import quote, quote_plus

MASK = "********"
# What AnsibleModule puts in place of a value that is exactly a no_log value.
NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
# Credentials a server may echo in an error (a request dump, a proxy page): an HTTP bearer token and the
# APS token header, in header, JSON or query spelling.
CREDENTIAL_PATTERNS = (
    re.compile(r"(?i)(\bBearer(?:\s|%20|\+)+)[A-Za-z0-9\-._~+/%]+=*"),
    re.compile(r"(?i)(\bAPS-Token\\?[\"']?(?:\s|%20|\+)*(?:[:=]|%3A|%3D)(?:\s|%20|\+)*\\?[\"']?)[^\s\"',;&\\]+"),
)


def snake_enum(value):
    """An enum in Partner Center's wire spelling: ``DnsRecord``, ``dnsRecord``, ``dns_record`` -> ``dns_record``."""
    if value is None:
        return None
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", str(value).strip())
    return re.sub(r"[\s-]+", "_", text).lower()


def pascal_enum(value):
    """The PascalCase spelling the documented request examples use: ``dns_record`` -> ``DnsRecord``."""
    return "".join(part.capitalize() for part in snake_enum(value).split("_"))


def casefold(value):
    return value.lower() if isinstance(value, str) else value


def changed_fields(current, desired, normalisers=None):
    """The fields of ``desired`` (None meaning "not set by the task") that differ from ``current``.

    :param normalisers: field name -> function applied to both sides before comparing.
    :returns: dict field -> desired value, for the fields that differ.
    """
    normalisers = normalisers or {}
    changes = {}
    for field, wanted in desired.items():
        if wanted is None:
            continue
        normalise = normalisers.get(field, _identity)
        if normalise(current.get(field)) != normalise(wanted):
            changes[field] = wanted
    return changes


def masked(data, secret_keys):
    """A copy of ``data`` whose secret keys, at any depth, are replaced by a mask."""
    if isinstance(data, dict):
        return dict((key, MASK if key in secret_keys and value is not None else masked(value, secret_keys))
                    for key, value in data.items())
    if isinstance(data, list):
        return [masked(item, secret_keys) for item in data]
    return data


def spellings(secret):
    """The ways a secret can appear in text a server or a library wrote: as is, JSON-escaped (with and
    without ``ensure_ascii``), URL-encoded (path and query rules, either hex case) and form-encoded."""
    found = set([secret])
    for escaped in (json.dumps(secret), json.dumps(secret, ensure_ascii=False)):
        found.add(escaped[1:-1])
    for encoded in (quote(secret, safe=""), quote(secret, safe="/"), quote_plus(secret)):
        found.add(encoded)
        found.add(re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), encoded))
    found.discard("")
    return found


def _trie_pattern(words):
    """A regular expression matching any of ``words``, shaped as their prefix tree.

    The regex engine then does work proportional to the common prefix at each position of the text,
    not to the number of words (an alternation of 40,000 words is tried word by word). Chains of
    single children become one literal run, so the nesting depth is the number of branch points on a
    path, not the length of a long token.
    """
    trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def build(node):
        literal = []
        while len(node) == 1 and "" not in node:
            (char, node), = node.items()
            literal.append(re.escape(char))
        prefix = "".join(literal)
        if not node or list(node) == [""]:
            return prefix
        ends = "" in node
        # Longest first: a longer secret is masked whole, not as its shorter prefix.
        branches = [re.escape(char) + build(node[char]) for char in sorted(key for key in node if key != "")]
        body = branches[0] if len(branches) == 1 else "(?:%s)" % "|".join(branches)
        if ends:
            body = "(?:%s)?" % body
        return prefix + body

    return build(trie)


class SecretMasker(object):
    """Masks every spelling of a set of secret values, and echoed credentials, in nested data.

    Linear in the size of the data: the spellings of all secrets are one prefix-tree regular expression
    scanned once per string, and exact matches are a set lookup (``remove_values`` replaces each secret
    in each string in turn, which grows with the product of both).
    """

    def __init__(self, secrets):
        self.secrets = frozenset(str(value) for value in secrets
                                 if value is not None and not isinstance(value, bool) and str(value) != "")
        words = set()
        for secret in self.secrets:
            words.update(spellings(secret))
        self._pattern = re.compile(_trie_pattern(words)) if words else None
        self._shortest = min(len(word) for word in words) if words else 0

    def text(self, value):
        """``value`` with every secret spelling and echoed credential replaced by the mask."""
        if value in self.secrets:
            return NO_LOG_PLACEHOLDER
        lowered = value.lower()
        if "bearer" in lowered or "aps-token" in lowered:
            for pattern in CREDENTIAL_PATTERNS:
                value = pattern.sub(lambda match: match.group(1) + MASK, value)
        if self._pattern is not None and len(value) >= self._shortest:
            value = self._pattern.sub(MASK, value)
        return value

    def mask(self, data):
        """A copy of ``data`` (dicts, lists, tuples, sets, scalars) with secrets masked in every string."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return dict((key, self.mask(value)) for key, value in data.items())
        if isinstance(data, (list, tuple)):
            return [self.mask(item) for item in data]
        if isinstance(data, (set, frozenset)):
            return set(self.mask(item) for item in data)
        if isinstance(data, bytes):
            return self.text(data.decode("utf-8", "replace"))
        if isinstance(data, (int, float)) and not isinstance(data, bool) and self.secrets:
            text = str(data)
            if text in self.secrets or (self._pattern is not None and self._pattern.search(text)):
                return NO_LOG_PLACEHOLDER
        return data


def _identity(value):
    return value
