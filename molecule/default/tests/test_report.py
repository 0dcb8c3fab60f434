"""What the converge reported (the last play of hyperscale.yml): cluster.md and topology.svg on the control
machine, in the report directory beside the scenario's inventory directory (molecule gives its inventory directory
with -i: <inventory>-report, so that Ansible does not read the report as inventory), naming every
storage router, ALBA node, backend and vPool the API lists. Reads the files and the API only."""
import os
import xml.etree.ElementTree as ET

import pytest

from conftest import INVENTORY

REPORT = INVENTORY.rstrip("/") + "-report"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def report_files():
    files = {}
    for name in ("cluster.md", "topology.svg"):
        path = os.path.join(REPORT, name)
        assert os.path.isfile(path), "the converge wrote no %s in %s" % (name, REPORT)
        with open(path) as handle:
            files[name] = handle.read()
    return files


@pytest.fixture(scope="module")
def api_names(api):
    """What the report must name, as the API lists it."""
    nodes = api.get("alba/nodes/?contents=node_id,name")["data"]
    return {
        "storage routers": [r["name"] for r in api.get("storagerouters/?contents=name")["data"]],
        "ALBA nodes": [n.get("name") or n["node_id"] for n in nodes],
        "backends": [b["name"] for b in api.get("alba/backends/?contents=name")["data"]],
        "vPools": [v["name"] for v in api.get("vpools/?contents=name")["data"]],
    }


def test_markdown_names_everything(report_files, api_names, api):
    text = report_files["cluster.md"]
    cluster_id = api.get("")["identification"]["cluster_id"]
    assert text.startswith("# Open vStorage cluster `%s`\n" % cluster_id)
    for kind, names in api_names.items():
        assert names, kind
        for name in names:
            assert name in text, "%s %s is not in cluster.md" % (kind, name)
    for name in api_names["ALBA nodes"] + api_names["backends"]:
        assert "\n### %s\n" % name in text


def test_topology_names_everything(report_files, api_names):
    root = ET.fromstring(report_files["topology.svg"].encode("utf-8"))
    texts = set(t.text for t in root.iter(SVG + "text"))
    for kind, names in api_names.items():
        missing = sorted(set(names) - texts)
        assert not missing, "%s missing from topology.svg: %s" % (kind, missing)
