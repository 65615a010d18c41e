"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test bootstraps pip in each of its test venvs with a script fetched from a host that these
machines cannot reach, unless a copy sits in its cache. This stand-in does the same job with the
standard library's ensurepip, then installs what ansible-test asked for from the package index.
ansible-test runs pip with a filtered environment, so the CA bundle is written in when the file is
installed (``make`` replaces the placeholder below).
"""
import ensurepip
import subprocess
import sys

CA_BUNDLE = "@CA_BUNDLE@"

ensurepip.bootstrap()
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--cert", CA_BUNDLE] + args))
