"""API views of updates (framework webapps/api/backend/views/storagerouters.py: every one
returns a task, as the real ``@return_task()`` views). Served with the others (``server.ROUTES``)."""
from .. import update
from .views import _load, _required
from . import errors

MANAGE = ["read", "write", "manage"]


def get_update_metadata(ctx, guid):
    router = _load(ctx, "storagerouter", guid)
    return ctx.tasks.launch("ovs.update.get_update_metadata", update.get_update_metadata,
                            ctx.model, router["ip"])


def _cluster_task(name, function):
    """A view of any storage router that runs ``function(model)`` as task ``name``."""
    def view(ctx, guid):
        _load(ctx, "storagerouter", guid)
        return ctx.tasks.launch(name, function, ctx.model)
    return view


refresh_package_information = _cluster_task("ovs.generic.refresh_package_information",
                                            update.refresh_package_information)
merge_package_information = _cluster_task("ovs.update.merge_package_information",
                                          update.merge_package_information)
get_update_information = _cluster_task("ovs.update.merge_downtime_information",
                                       update.get_update_information)


def update_components(ctx, guid):
    """``POST .../update_components/`` {components} -> task (``ovs update c1,c2`` on the API node)."""
    _load(ctx, "storagerouter", guid)
    (components,) = _required(ctx, "components")
    if not isinstance(components, list) or not all(isinstance(c, str) for c in components):
        raise errors.invalid_data("Invalid data passed: components must be a list of names")
    return ctx.tasks.launch("ovs.update.update_components", update.update_components,
                            ctx.model, components)


ROUTES = [
    ("GET", "/api/storagerouters/<guid>/get_update_metadata/", get_update_metadata, MANAGE),
    ("GET", "/api/storagerouters/<guid>/refresh_package_information/", refresh_package_information, MANAGE),
    ("GET", "/api/storagerouters/<guid>/merge_package_information/", merge_package_information, MANAGE),
    ("GET", "/api/storagerouters/<guid>/get_update_information/", get_update_information, MANAGE),
    ("POST", "/api/storagerouters/<guid>/update_components/", update_components, MANAGE),
]
