# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comparing what a task asks for with what the API holds, and masking secrets.

The one place that decides whether a field differs. Only the keys a task sets are compared, after
the values on both sides are normalised (case of names and domains, enum spelling).

This file is private to the collection.
"""

import re

MASK = "********"


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


def _identity(value):
    return value
