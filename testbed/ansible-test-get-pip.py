"""Stand-in for ansible-test's get-pip bootstrap script (the original is downloaded from a
host this machine cannot reach). ansible-test runs it as
``python get_pip.py [pip options] pip==<version> [--no-setuptools] [--no-wheel]`` in a fresh
virtual environment: run the pip wheel that ships with ensurepip to install what it asks for
(from PyPI, which is reachable). Installed by testbed/ansible-test-setup."""
import glob
import os
import runpy
import sys

import ensurepip

BUNDLED = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
wheels = sorted(glob.glob(os.path.join(BUNDLED, "pip-*.whl")))
if not wheels:
    sys.exit("no pip wheel bundled with ensurepip in %s (install python3-venv)" % BUNDLED)
sys.path.insert(0, wheels[-1])
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install"] + args
runpy.run_module("pip", run_name="__main__", alter_sys=True)
