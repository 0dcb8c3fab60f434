"""The emulator's layer rule: the interfaces (the HTTP API in webapi/, the ASD manager API, the
command lines) import the domain; the domain never imports an interface. Read from the source
(every import statement, also inside functions)."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ovs_emulator"
INTERFACES = ("webapi", "asdapi", "ovs_cli", "asd_cli", "asd_setup", "alba_cli", "tlsserver")
# Not a layer violation: a product calling ANOTHER product's command line as its client, as the real
# framework's ALBA plugin runs the `alba` binary (AlbaCLI) and parses its JSON and error codes.
CLIENT_CALLS = {("ovs_emulator.alba.common", "ovs_emulator.alba_cli")}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path):
    """Full names of the ovs_emulator modules that ``path`` imports."""
    tree = ast.parse(path.read_text())
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("ovs_emulator")}


def is_interface(name):
    rest = name.split(".")[1:]
    return bool(rest) and rest[0] in INTERFACES


def test_the_domain_imports_no_interface():
    offending = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        if is_interface(name):
            continue
        bad = sorted(n for n in imported(path) if is_interface(n) and (name, n) not in CLIENT_CALLS)
        if bad:
            offending[name] = bad
    assert offending == {}
