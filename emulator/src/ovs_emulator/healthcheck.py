"""``ovs healthcheck`` (package openvstorage-hc): modules ``ovs`` and ``arakoon``.

``python3 -m ovs_emulator.healthcheck [--to-json|--unattended] [module [test]]``
"""
import json
import sys

from ovs_emulator import paths, store, system, units

STATES = ["SUCCESS", "SKIPPED", "WARNING", "FAILED", "EXCEPTION"]  # worst last
STATE_OF = {"success": "SUCCESS", "skip": "SKIPPED", "warning": "WARNING", "error": "FAILED",
            "exception": "EXCEPTION"}


class Result:
    def __init__(self):
        self.messages = {kind: [] for kind in ("error", "exception", "skip", "success", "warning")}

    def add(self, kind, code, message):
        self.messages[kind].append({"code": code, "message": message})

    @property
    def state(self):
        seen = [STATE_OF[kind] for kind, items in self.messages.items() if items]
        return max(seen, key=STATES.index, default="SUCCESS")


class Node:
    """What the tests need to know about this node, without depending on the config store."""

    def __init__(self):
        self.kind = "MASTER" if system.is_enabled("ovs-arakoon-config") else "EXTRA"
        self.machine_id = (system.read_text(paths.OVS_ID) or "").strip()
        try:
            self.cacc_nodes = store.read_cacc()[1]
        except store.StoreError:
            self.cacc_nodes = []
        own = [node.ip for node in self.cacc_nodes if node.name == self.machine_id]
        self.ip = own[0] if own else (system.local_ips() or ["127.0.0.1"])[0]

    @property
    def services(self):
        heartbeats = system.is_enabled("ovs-support-agent")
        return units.services_for(self.kind, heartbeats)


def test_processes(node, result):
    for service in node.services:
        if system.is_active(service):
            result.add("success", "FWK0200", f"Service {service} is running!")
        else:
            result.add("error", "FWK0201", f"Service {service} is not running!")


def test_ports(node, result):
    for service in node.services:
        for port in units.ports_of(service):
            if system.port_open(node.ip, port):
                result.add("success", "FWK0300",
                           f"Connection successfully established to service {service} on {node.ip}:{port}")
            else:
                result.add("error", "FWK0301", f"Connection FAILURE to service {service} on {node.ip}:{port}")


def test_packages(node, result):
    installed = system.installed_packages()
    for package, required in units.FRAMEWORK_PACKAGES.items():
        if package in installed:
            result.add("success", "FWK0400", f"Package {package} is installed with version {installed[package]}")
        else:
            result.add("error" if required else "warning", "FWK0401", f"Package {package} is not installed")


def test_arakoon_nodes(node, result):
    if not node.cacc_nodes:
        result.add("error", "ARA0102", f"No Arakoon client configuration found at {paths.CACC_INI}")
        return
    for cluster, (client_port, _) in units.ARAKOON_PORTS.items():
        reachable = 0
        for member in node.cacc_nodes:
            if system.port_open(member.ip, client_port):
                reachable += 1
                result.add("success", "ARA0100", f"Node {member.name} of Arakoon cluster {cluster} "
                                                 f"is reachable on {member.ip}:{client_port}")
            else:
                result.add("error", "ARA0101", f"Node {member.name} of Arakoon cluster {cluster} "
                                               f"is not reachable on {member.ip}:{client_port}")
        if reachable <= len(node.cacc_nodes) // 2:
            result.add("error", "ARA0103", f"Arakoon cluster {cluster} has no quorum: {reachable} of "
                                           f"{len(node.cacc_nodes)} nodes reachable")


def test_arakoon_ports(node, result):
    if node.kind != "MASTER":
        result.add("skip", "ARA0200", "This node does not run Arakoon clusters")
        return
    for cluster, ports in units.ARAKOON_PORTS.items():
        for port in ports:
            if system.port_open(node.ip, port):
                result.add("success", "ARA0201", f"Arakoon cluster {cluster} listens on {node.ip}:{port}")
            else:
                result.add("error", "ARA0202", f"Arakoon cluster {cluster} does not listen on {node.ip}:{port}")


MODULES = {"ovs": {"processes": test_processes, "ports": test_ports, "packages": test_packages},
           "arakoon": {"nodes": test_arakoon_nodes, "ports": test_arakoon_ports}}


def run(module=None, test=None):
    """{"<module>-<test>-test": {"state", "messages"}} of the selected tests."""
    node = Node()
    results = {}
    for module_name, tests in MODULES.items():
        if module not in (None, module_name):
            continue
        for test_name, function in tests.items():
            if test not in (None, test_name):
                continue
            result = Result()
            try:
                function(node, result)
            except Exception as exc:  # a broken test is reported, not raised
                result.add("exception", "HC0000", str(exc))
            results[f"{module_name}-{test_name}-test"] = {"state": result.state, "messages": result.messages}
    return results


def usage():
    lines = ["Usage: ovs healthcheck [--unattended|--to-json] [module [test]]", "Modules and tests:"]
    lines += [f"  {name}: {', '.join(tests)}" for name, tests in MODULES.items()]
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = {arg for arg in argv if arg.startswith("--")}
    args = [arg for arg in argv if not arg.startswith("--")]
    if flags - {"--to-json", "--unattended"} or len(args) > 2 \
            or (args and args[0] not in MODULES) or (len(args) == 2 and args[1] not in MODULES[args[0]]):
        print(usage(), file=sys.stderr)
        return 1
    results = run(*args)
    if "--to-json" in flags:
        print(json.dumps(results, indent=4, sort_keys=True))
    elif "--unattended" in flags:
        for name, result in sorted(results.items()):
            print(f"{name} {result['state']}")
    else:
        print("[INFO] Starting Open vStorage Health Check!")
        print("[INFO] ====================================")
        for name, result in results.items():
            print(f"[INFO] Starting {name}")
            for kind, messages in result["messages"].items():
                for message in messages:
                    print(f"[{STATE_OF[kind]}] {message['message']}")
        print("[INFO] Health Check finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
