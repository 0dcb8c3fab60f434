"""The emulator's layer rule: the interfaces (the HTTP API in webapi/, the ASD manager API, the
command lines) import the domain; the domain never imports an interface; the package's import graph
has no cycle; every import of the package sits at the top of its module. Read from the source
(every import statement, also inside functions)."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ovs_emulator import units  # noqa: E402

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ovs_emulator"
INTERFACES = ("webapi", "asdapi", "ovs_cli", "asd_cli", "asd_setup", "alba_cli", "tlsserver")
# Not a layer violation: a product calling ANOTHER product's command line as its client, as the real
# framework's ALBA plugin runs the `alba` binary (AlbaCLI) and parses its JSON and error codes.
CLIENT_CALLS = {("ovs_emulator.alba.common", "ovs_emulator.alba_cli")}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_names(path, node):
    """Full names an import statement ``node`` of ``path`` may import (modules or attributes)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
    return {base} | {f"{base}.{alias.name}" for alias in node.names}


def own_imports(path, tree=None):
    """(import statement, names of ovs_emulator it imports) of ``path``, anywhere in the file."""
    found = []
    for node in ast.walk(tree or ast.parse(path.read_text())):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = {name for name in import_names(path, node) if name.split(".")[0] == "ovs_emulator"}
            if names:
                found.append((node, names))
    return found


def imported(path):
    """Full names of the ovs_emulator modules that ``path`` imports."""
    return set().union(*(names for _, names in own_imports(path)))


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


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def graph():
    """module -> the package's modules it imports (a name that is an attribute counts as its module;
    importing ``a.b`` runs ``a`` too)."""
    edges = {}
    for name, path in MODULES.items():
        targets = set()
        for imported_name in imported(path):
            parts = imported_name.split(".")
            targets.update(".".join(parts[:n]) for n in range(1, len(parts) + 1)
                           if ".".join(parts[:n]) in MODULES)
        # a module's package runs first; a package imports nothing of its own by being a parent
        targets.discard(name)
        edges[name] = {t for t in targets if not name.startswith(t + ".")}
    return edges


def find_cycle(edges):
    """One import cycle as [a, b, ..., a], or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_import_graph_has_no_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


# (module, imported module) pairs allowed inside a function or mid-file, with their reason
LATE_IMPORTS = {}


def late_imports(path):
    """(line, names) of the package imports of ``path`` not in its leading block of imports (the
    module docstring, ``from __future__`` and other imports may come first)."""
    tree = ast.parse(path.read_text())
    leading = set()
    for index, node in enumerate(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            leading.add(id(node))
        elif not (index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
    return [(node.lineno, names) for node, names in own_imports(path, tree) if id(node) not in leading]


def test_every_package_import_is_at_the_top_of_its_module():
    offending = {}
    for name, path in MODULES.items():
        late = [f"line {line}: {', '.join(sorted(names))}" for line, names in late_imports(path)
                if not all((name, n) in LATE_IMPORTS for n in names)]
        if late:
            offending[name] = late
    assert offending == {}


# --- node actions: registered by the domain, dispatched by the workers ----------------------

def _called_name(node):
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


def registered_actions():
    """action name -> module, from the ``@actions.action("name")`` decorators."""
    found = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    if (isinstance(decorator, ast.Call) and _called_name(decorator) == "action"
                            and isinstance(decorator.args[0], ast.Constant)):
                        found[decorator.args[0].value] = name
    return found


# the functions that run an action by its name on a node, with the position of the name:
# actions.call(store, machine_id, name), UpdateRun.call(router, name) and .on_all(name) (update),
# nodetype's on_node(store, name); (module or None for any, object, function) -> position
CALLERS = {(None, "actions", "call"): 2, ("ovs_emulator.update", "self", "call"): 1,
           ("ovs_emulator.update", "self", "on_all"): 0, (None, None, "on_node"): 1}


def _caller(node):
    """(object, function) of a call: ``actions.call(...)`` -> ("actions", "call")."""
    if isinstance(node.func, ast.Attribute):
        return getattr(node.func.value, "id", ""), node.func.attr
    return None, getattr(node.func, "id", None)


def called_actions():
    """action name -> modules, from the literal names passed to the callers."""
    found = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            caller = _caller(node) if isinstance(node, ast.Call) else None
            position = caller and CALLERS.get((None, *caller), CALLERS.get((name, *caller)))
            if position is not None and len(node.args) > position and isinstance(node.args[position], ast.Constant):
                found.setdefault(node.args[position].value, set()).add(name)
    return found


def test_every_called_action_is_registered():
    called, registered = called_actions(), registered_actions()
    assert len(called) > 20
    assert {name: sorted(modules) for name, modules in called.items() if name not in registered} == {}


def test_the_workers_import_no_module_that_registers_actions():
    registering = set(registered_actions().values())
    assert len(registering) >= 7
    assert sorted(imported(MODULES["ovs_emulator.workers"]) & registering) == []
    importers = sorted(name for name, path in MODULES.items() if "ovs_emulator.workers" in imported(path))
    assert importers == ["ovs_emulator.workers.__main__"]


def entry_points():
    """The modules a process starts with: the commands of build-debs (its CLI table) and the units'
    ``python3 -m <module>`` (a package runs its ``__main__``)."""
    tree = ast.parse((PACKAGE.parents[1] / "build-debs").read_text())
    table = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                 and getattr(node.targets[0], "id", None) == "CLI")
    modules = {module for _, module in ast.literal_eval(table).values()}
    modules |= {unit.module for unit in units.UNITS.values() if not unit.exec_start}
    return sorted(f"{m}.__main__" if f"{m}.__main__" in MODULES else m for m in modules)


def closure(module, edges):
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(edges.get(current, ()))
    return seen


def registry_of(module):
    """The action names registered once ``module`` is imported in a fresh interpreter."""
    code = (f"import importlib, json; importlib.import_module({module!r}); "
            "from ovs_emulator import actions; print(json.dumps(sorted(actions.ACTIONS)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)})
    return set(json.loads(result.stdout))


def test_every_process_that_runs_actions_registers_them_all():
    """A process whose code looks actions up by name (the workers; ``ovs`` runs the node-local half
    of a demote or a node removal on its own node) holds every action once its entry point is
    imported."""
    edges = graph()
    dispatchers = {name for name, path in MODULES.items() if name != "ovs_emulator.actions"
                   and "ACTIONS" in {node.attr for node in ast.walk(ast.parse(path.read_text()))
                                     if isinstance(node, ast.Attribute)}}
    assert dispatchers == {"ovs_emulator.workers", "ovs_emulator.nodetype"}
    points = entry_points()
    assert {"ovs_emulator.ovs_cli", "ovs_emulator.workers.__main__", "ovs_emulator.asdapi"} <= set(points)
    running = [point for point in points if closure(point, edges) & dispatchers]
    assert {"ovs_emulator.ovs_cli", "ovs_emulator.workers.__main__"} <= set(running)
    needed = set(called_actions()) | set(registered_actions())
    missing = {point: sorted(needed - registry_of(point)) for point in running}
    assert missing == {point: [] for point in running}
