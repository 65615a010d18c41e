"""Local HTTPS stand-in for Microsoft Entra, the Partner Center REST API and the CloudBlue APS REST API.

Start it with ``PYTHONPATH=tests python -m simulator``; see README.md in this directory.
"""
