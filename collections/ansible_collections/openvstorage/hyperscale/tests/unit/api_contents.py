# -*- coding: utf-8 -*-
"""What every API read must name: its ``contents``.

Without ``contents`` the framework serialises a single object with every dynamic property and
relation, computing each of them on the request (an ALBA backend asks its ALBA manager and every
linked cluster: seconds per read, more when many nodes read at once).  A read names the fields it
uses; the paths below are the only reads without ``contents``, each with its reason.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# Paths (relative to /api/) read without ``contents``, and why the whole answer is needed.
ALLOWED_PATHS = (
    # GET /api/: the cluster's identification and versions; no model object behind it.
    (re.compile(r'^$'), 'GET /api/ is not a model object'),
    # GET /api/tasks/<id>/: the state of a Celery task, not a model object (no dynamics to spare).
    (re.compile(r'^tasks/[^/]+/?$'), 'a task state is not a model object'),
    # GET /api/alba/backends/<guid>/calculate_safety/: an action; its answer is a task id.
    (re.compile(r'^alba/backends/[^/]+/calculate_safety/?$'), 'calculate_safety is an action that returns a task'),
    # GET /api/storagerouters/<guid>/<update action>/: the framework's update actions (tasks), not objects.
    (re.compile(r'^storagerouters/[^/]+/(get_update_metadata|refresh_package_information|merge_package_information'
                r'|get_update_information)/?$'), 'the update actions return tasks'),
)

# (file under plugins/, enclosing function) of the calls a static scan finds without ``contents=``.
ALLOWED_CALLS = {
    # list() sends its own ``contents`` argument in the params of each page read.
    ('module_utils/ovs_api.py', 'OvsApiClient.list'): 'passes the contents of its caller in params',
    # GET /api/tasks/<id>/ (ALLOWED_PATHS).
    ('module_utils/ovs_api.py', 'OvsApiClient.wait_for_task'): 'reads a task state',
    # GET /api/alba/backends/<guid>/calculate_safety/ (ALLOWED_PATHS).
    ('modules/alba_node.py', 'reset_osds'): 'calculate_safety is an action',
    # GET /api/storagerouters/<guid>/<update action>/ (ALLOWED_PATHS).
    ('modules/ovs_update.py', 'call'): 'the update actions return tasks',
}

# A read that names these gets every dynamic or every relation: name the fields instead.
EVERYTHING = ('_dynamics', '_relations')


def allowed_path(path):
    """Whether ``path`` (relative to /api/, query excluded) may be read without ``contents``."""
    path = path.lstrip('/')
    if path.startswith('api/'):
        path = path[4:]
    return any(pattern.match(path) for pattern, dummy in ALLOWED_PATHS)
