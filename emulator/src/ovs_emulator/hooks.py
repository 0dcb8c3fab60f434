"""Plugin hooks of the framework, as the real ``Toolbox.fetch_hooks(component, sub_component)``.

The framework's node operations (promote, demote, node removal) call the hooks of the installed
plugins at fixed points; the ALBA plugin (package openvstorage-backend) uses them to keep its
ABM/NSM Arakoon clusters and ASD nodes in step. The framework does not import its plugins: a
plugin module registers its functions with ``@hook(event)`` when it is imported, and
``load()`` imports the plugin modules that are installed on this node (a missing one is a
plugin that is not installed). This module sits at the bottom of the layers: it imports nothing
of the emulator.

Events and their keyword arguments (``config_store`` always; a hook that refuses raises
``HookRefusal`` with the framework's text, before anything changed):

- ``nodetype.validate_demote`` (machine_id, ip): may refuse a demote;
- ``nodetype.demote`` (machine_id, ip): after the node left the config and ovsdb clusters;
- ``nodetype.promote`` (machine_id, ip): after the node became a master;
- ``noderemoval.validate`` (machine_id, ip): may refuse a node removal;
- ``noderemoval.remove`` (machine_id, ip): before the node leaves the model.
"""
import importlib

PLUGINS = ("ovs_emulator.alba.hooks",)
HOOKS = {}


class HookRefusal(RuntimeError):
    """A plugin refuses the operation; the text is the framework's message."""


def hook(event):
    """Register the decorated function for ``event``."""
    def register(function):
        HOOKS.setdefault(event, []).append(function)
        return function
    return register


def load():
    """Import the installed plugin modules (each registers its hooks once)."""
    for name in PLUGINS:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name or "\0"):
                raise


def run(event, **kwargs):
    """Run the hooks of ``event`` in registration order; their results in a list."""
    load()
    return [function(**kwargs) for function in HOOKS.get(event, [])]
