# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the declared storage layout of a HyperScale cluster before anything changes.

The variables (docs/operations.md): ``ovs_domains``, per storage router ``ovs_disk_roles``,
``ovs_backends``, ``ovs_vpools`` and ``ovs_vdisks``. Each option on its own (type, choices,
required, range, name pattern) is checked against the argument specs of the roles by
``argument_spec_errors`` (specs.py) first; ``storage_layout_check`` returns the problems only the
whole layout shows, each naming the variable, the bad value and what is allowed: references
between objects, unique names, rules between the options of one object, the disk roles a vPool
needs on each storage router, whether the storage nodes that give ASDs to a backend can honour
each preset policy, and the ``excellerated_backend`` flags of the storage nodes (Accelerated ALBA:
the flagged storage nodes give their disks to the backend with ``accelerated: true``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError, parse_size

DISK_ROLES = ('DB', 'DTL', 'SCRUB', 'WRITE')
VPOOL_ROLES = ('DB', 'DTL', 'WRITE')
# the GUI's rule for backend names (lower case, digits, dashes; 3 to 50 characters)
BACKEND_NAME = r'^[0-9a-z][\-a-z0-9]{1,48}[a-z0-9]$'
# the inventory flag of the original HyperScale playbook (its spelling) that marks the SSD storage nodes
EXCELLERATED = 'excellerated_backend'
CACHES = ('fragment_cache', 'block_cache')
# keys whose values no message shows (the secret of the API client of a GeoScale link's cluster)
SECRET_KEYS = ('client_secret', 'api_client_secret', 'api_password', 'password')
HIDDEN = '********'


def size_bytes(value):
    """Bytes of an int or of a string such as ``10GiB``, ``500 MiB``, ``2T`` (binary) or ``4GB``
    (decimal) (the modules' own parser); None when it is no size."""
    try:
        return parse_size(value)
    except StorageError:
        return None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _names(items):
    return [item.get('name') for item in items if isinstance(item, dict)]


def excellerated(value):
    """The ``excellerated_backend`` flag as a boolean (Ansible's rules: true, 'true', 'yes', 1, ...); None when it is
    not set; raises TypeError when it is no boolean."""
    if value is None:
        return None
    return boolean(value, strict=True)


def _true(value):
    """Whether a flag (``excellerated_backend``, ``accelerated``) is true; a value that is no boolean is not."""
    try:
        return excellerated(value) is True
    except TypeError:
        return False


def default_asd_hosts(backend, storagenodes, hostvars):
    """The storage nodes that an ``asds`` entry of the LOCAL ``backend`` without ``hosts`` takes: those with
    ``excellerated_backend`` true for a backend with ``accelerated: true``, the others for any other LOCAL backend
    (all storage nodes when none is flagged)."""
    flagged = [h for h in storagenodes if _true(((hostvars or {}).get(h) or {}).get(EXCELLERATED))]
    if _true(backend.get('accelerated')):
        return flagged
    return [h for h in storagenodes if h not in flagged]


def policy_problem(policy):
    """Why ``[k, m, c, x]`` breaks the framework's rules, or None."""
    if not isinstance(policy, (list, tuple)) or len(policy) != 4 or not all(_is_int(v) for v in policy):
        return 'a policy is exactly 4 integers [k, m, c, x]'
    k, m, c, x = policy
    if k < 1 or c < 1 or x < 1 or m < 0:
        return 'k, c and x must be at least 1 and m at least 0'
    if not k <= c <= k + m:
        return 'it does not match the requirement k <= c <= (k + m)'
    return None


def policy_nodes_needed(policy):
    """Storage nodes (or linked backends) with claimed ASDs a policy needs: ceil((k+m)/x)."""
    k, m, _c, x = policy
    return int(math.ceil(float(k + m) / x))


class _Check(object):
    def __init__(self, groups, hostvars):
        self.groups = groups
        self.hostvars = hostvars
        self.errors = []
        self.warnings = []
        self.framework = list(groups.get('controllers', [])) + list(groups.get('computenodes', []))
        self.storage = list(groups.get('storagenodes', []))
        self.disk_owners = {}

    def error(self, where, value, allowed):
        self.errors.append('{0} is {1}: {2}'.format(where, show_value(value), allowed))

    @staticmethod
    def items(value):
        """``(index, entry)`` of the dictionaries of a list (their shape is the argument specs' concern)."""
        if not isinstance(value, list):
            return []
        return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]

    def hosts(self, where, value, allowed_hosts, kind):
        if not isinstance(value, list) or not value:
            self.error(where, value, 'a non-empty list of inventory hosts of {0}'.format(kind))
            return []
        unknown = [str(h) for h in value if h not in allowed_hosts]
        if unknown:
            self.error(where, value, '{0} not in {1} (allowed: {2})'.format(
                ', '.join(unknown), kind, ', '.join(allowed_hosts) or 'none'))
        return [h for h in value if h in allowed_hosts]

    def unique(self, name, items):
        seen = set()
        for index, item in items:
            if item.get('name') in seen:
                self.error('{0}[{1}].name'.format(name, index), item.get('name'), 'names must be unique')
            seen.add(item.get('name'))


def redact(value):
    """``value`` with the values of the secret keys (``SECRET_KEYS``, at any depth) replaced by ``HIDDEN``."""
    if isinstance(value, dict):
        return dict((k, HIDDEN if k in SECRET_KEYS and v is not None else redact(v)) for k, v in value.items())
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def show_value(value):
    """A value as the messages show it: strings quoted, lists, dictionaries and booleans as JSON (as the
    inventory writes them: true, not True), the values of secret keys hidden."""
    if isinstance(value, (list, dict, bool)):
        return _json(redact(value))
    if isinstance(value, str):
        return "'{0}'".format(value)
    return repr(value).replace("u'", "'")


def _json(value):
    return json.dumps(value, sort_keys=True, default=str)


def _check_disk_roles(check):
    """Per storage router: {host: set of roles} of ``ovs_disk_roles`` and their problems."""
    roles_of = {}
    for host in check.framework:
        name = 'ovs_disk_roles of {0}'.format(host)
        roles_of[host] = set()
        counted = {'DB': [], 'DTL': []}
        for _index, entry in check.items(check.hostvars.get(host, {}).get('ovs_disk_roles')):
            roles = [r for r in entry.get('roles') or [] if r in DISK_ROLES]
            roles_of[host].update(roles)
            for role in roles:
                if role in counted:
                    counted[role].append(entry.get('disk'))
        for role, disks in sorted(counted.items()):
            if len(disks) > 1:
                check.error(name, list(disks), 'role {0} may be on one partition per storage router '
                            'only, here on {1}'.format(role, ', '.join(str(d) for d in disks)))
    for host in check.storage:
        if check.hostvars.get(host, {}).get('ovs_disk_roles'):
            check.error('ovs_disk_roles of {0}'.format(host), check.hostvars[host]['ovs_disk_roles'],
                        'storage nodes have no storage router; their disks are ASD slots (ovs_backends asds)')
    return roles_of


def _check_domains(check, domains):
    items = check.items(domains)
    check.unique('ovs_domains', items)
    for index, item in items:
        for key in ('storagerouters', 'recovery_storagerouters'):
            if item.get(key) is not None:
                check.hosts('ovs_domains[{0}].{1}'.format(index, key), item[key], check.framework,
                            'controllers or computenodes')


def _check_preset(check, where, preset, nodes, node_kind):
    if preset.get('state') == 'absent':
        if preset.get('name') == 'default':
            check.error(where, preset.get('name'), 'Cannot delete the default preset')
        return
    policies = preset.get('policies')
    if not isinstance(policies, list) or not policies:
        check.error(where + '.policies', policies, 'At least 1 policy must be defined when adding/updating a preset')
        return
    valid = [p for p in policies if policy_problem(p) is None]
    honoured = [p for p in valid if policy_nodes_needed(p) <= nodes]
    for index, policy in enumerate(policies):
        if policy in valid and policy not in honoured:
            message = ('{0}.policies[{1}] {2}: k + m = {3} fragments with at most x = {4} per {5} needs {6} {5}s '
                       'with claimed ASDs; the layout gives {7}')
            check.warnings.append(message.format(where, index, _json(policy), policy[0] + policy[1], policy[3],
                                                 node_kind, policy_nodes_needed(policy), nodes))
    if valid and len(valid) == len(policies) and not honoured:
        check.error(where + '.policies', policies, 'no policy can be honoured: the layout gives {0} {1}(s) with '
                    'claimed ASDs and each policy [k, m, c, x] needs ceil((k + m) / x) of them'.format(nodes, node_kind))


def _local_givers(check, where, item):
    """Storage nodes that give a LOCAL backend ASDs; a disk of a storage node gives ASDs to one backend only."""
    if item.get('linked_backends'):
        check.error(where + '.linked_backends', item['linked_backends'], 'only a GLOBAL backend links backends')
    givers = set()
    default = default_asd_hosts(item, check.storage, check.hostvars)
    for a_index, asd in check.items(item.get('asds')):
        a_where = '{0}.asds[{1}]'.format(where, a_index)
        if 'hosts' not in asd and check.storage and not default:
            _no_default_hosts(check, a_where, item)
            continue
        hosts = check.hosts(a_where + '.hosts', asd.get('hosts', default), check.storage, 'storagenodes')
        givers.update(hosts)
        if item.get('state', 'present') == 'present':
            _claim_disks(check, a_where, asd, hosts, item.get('name'))
    return len(givers)


def _no_default_hosts(check, where, item):
    if _true(item.get('accelerated')):
        check.error(where + '.hosts', None, 'backend {0} is accelerated but no storage node has {1}=true: set it on '
                    'the (SSD) storage nodes of this backend, or list them in hosts'.format(
                        item.get('name'), EXCELLERATED))
    else:
        check.error(where + '.hosts', None, 'every storage node has {0}=true and gives its disks to the accelerated '
                    'backend; list the storage nodes of backend {1} in hosts'.format(EXCELLERATED, item.get('name')))


def _claim_disks(check, where, asd, hosts, backend):
    """Record which backend each disk of each storage node gives ASDs to; a second backend is an error."""
    disks = [d for d in asd.get('disks') or [] if isinstance(d, str)]
    for host in hosts:
        for disk in disks:
            owner = check.disk_owners.setdefault((host, disk), (backend, where))
            if owner != (backend, where):
                check.error(where + '.disks', asd.get('disks'), 'disk {0} of {1} already gives ASDs to backend {2} '
                            '({3}); a disk gives ASDs to one backend'.format(disk, host, owner[0], owner[1]))


def _global_links(check, where, item, by_name):
    """Backends a GLOBAL backend links: LOCAL backends of ovs_backends, or (``cluster``) of another cluster."""
    if item.get('asds'):
        check.error(where + '.asds', item['asds'], 'a GLOBAL backend takes LOCAL backends (linked_backends), not ASDs')
    links = 0
    local = [n for n, b in by_name.items() if b.get('scaling', 'LOCAL') == 'LOCAL']
    seen = set()
    for l_index, link in check.items(item.get('linked_backends')):
        l_where = '{0}.linked_backends[{1}]'.format(where, l_index)
        cluster = link.get('cluster') if isinstance(link.get('cluster'), dict) else None
        key = (link.get('name'), (cluster or {}).get('api_host'))
        if key in seen:
            check.error(l_where + '.name', link.get('name'), 'a backend {0} once per GLOBAL backend'.format(
                'of the cluster at {0}'.format(key[1]) if cluster else 'of this cluster'))
        seen.add(key)
        if cluster:
            # a backend of another cluster (GeoScale): not in this inventory; the module reads it there
            links += 1
            continue
        target = by_name.get(link.get('name'))
        if link.get('name') not in local:
            check.error(l_where + '.name', link.get('name'), 'a LOCAL backend of ovs_backends: {0} (a backend of '
                        'another cluster: set cluster)'.format(', '.join(str(n) for n in local) or 'none'))
            continue
        presets = ['default'] + [p for p in _names(target.get('presets') or []) if p]
        if link.get('preset', 'default') not in presets:
            check.error(l_where + '.preset', link.get('preset'), 'a preset of {0}: {1}'.format(
                link.get('name'), ', '.join(presets)))
        links += 1
    return links


def _check_backends(check, backends, roles_of):
    items = check.items(backends)
    masters = check.groups.get('controllers', [])
    if any(item.get('state', 'present') == 'present' for _i, item in items) \
            and not any('DB' in roles_of.get(host, set()) for host in masters):
        check.errors.append('ovs_disk_roles gives no controller the DB role: the ABM and NSM Arakoon clusters of an '
                            'ALBA backend live on the masters with a DB partition (for example '
                            'ovs_disk_roles: [{disk: sdb, roles: [DB]}] in group_vars/controllers.yml)')
    check.unique('ovs_backends', items)
    by_name = dict((item.get('name'), item) for _i, item in items)
    for index, item in items:
        where = 'ovs_backends[{0}]'.format(index)
        if item.get('scaling', 'LOCAL') == 'GLOBAL':
            if _true(item.get('accelerated')):
                check.error(where + '.accelerated', item['accelerated'], 'only a LOCAL backend takes the disks of the '
                            'storage nodes with {0}=true'.format(EXCELLERATED))
            nodes, kind = _global_links(check, where, item, by_name), 'linked backend'
        else:
            nodes, kind = _local_givers(check, where, item), 'storage node'
        p_items = check.items(item.get('presets'))
        check.unique(where + '.presets', p_items)
        for p_index, preset in p_items:
            _check_preset(check, '{0}.presets[{1}]'.format(where, p_index), preset, nodes, kind)
    _check_excellerated(check, [item for _i, item in items])
    return by_name


def _check_excellerated(check, backends):
    """The ``excellerated_backend`` flags: booleans, true only on storage nodes, and a backend that takes them."""
    flagged = []
    for host in sorted(check.hostvars):
        value = (check.hostvars.get(host) or {}).get(EXCELLERATED)
        try:
            flag = excellerated(value)
        except TypeError:
            check.error('{0} of {1}'.format(EXCELLERATED, host), value, 'a boolean (true or false)')
            continue
        if flag and host not in check.storage:
            check.error('{0} of {1}'.format(EXCELLERATED, host), value, '{0} is not in storagenodes: only storage '
                        'nodes give their disks to the accelerated backend (storage nodes: {1})'.format(
                            host, ', '.join(check.storage) or 'none'))
        elif flag:
            flagged.append(host)
    local = [b for b in backends if b.get('scaling', 'LOCAL') == 'LOCAL' and b.get('state', 'present') == 'present']
    accelerated = [b for b in local if _true(b.get('accelerated'))]
    if flagged and local and not accelerated:
        check.errors.append('{0} is true on {1} but no LOCAL backend of ovs_backends has accelerated: true: mark the '
                            'backend of these storage nodes accelerated (ovs_backends[].accelerated), or set {0} false'
                            .format(EXCELLERATED, ', '.join(flagged)))
    elif flagged and not local:
        check.warnings.append('{0} is true on {1} but ovs_backends declares no LOCAL backend: the flag gives these '
                              'storage nodes to the backend with accelerated: true'.format(
                                  EXCELLERATED, ', '.join(flagged)))


def _backend_presets(check, backend):
    """``default`` and the presets of a backend of ovs_backends that are not to be removed."""
    return ['default'] + [p.get('name') for _i, p in check.items(backend.get('presets'))
                          if p.get('name') and p.get('state') != 'absent']


def _this_cluster(check, cluster):
    """Whether a ``cluster`` option names this cluster itself: its api_host is a controller of the inventory (its
    name or ansible_host)."""
    host = cluster.get('api_host')
    for name in check.groups.get('controllers', []):
        if host in (name, (check.hostvars.get(name) or {}).get('ansible_host')):
            return True
    return False


def _check_vpool_caches(check, where, item, backends):
    """The cache backends of a vPool: another backend of ovs_backends, and one of its presets; or (``cluster``) a
    backend of another cluster, read by the module there."""
    for cache in CACHES:
        settings = _cache_settings(item, cache)
        c_where = '{0}.{1}'.format(where, cache)
        name = settings.get('backend')
        if name is None:
            if settings.get('preset') is not None:
                check.error(c_where + '.preset', settings['preset'], 'a preset of the cache backend: set '
                            '{0}.backend too (a local cache has no preset)'.format(cache))
            continue
        cluster = settings.get('cluster') if isinstance(settings.get('cluster'), dict) else None
        remote = cluster is not None and not _this_cluster(check, cluster)
        if name == item.get('backend') and not remote:
            check.error(c_where + '.backend', name, "the vPool's own backend; allowed: another backend of "
                        "ovs_backends (Backend and {0} backend cannot be the same): {1}".format(
                            cache.replace('_', ' '), ', '.join(str(n) for n in backends if n != name) or 'none'))
        elif remote:
            pass  # a backend of another cluster (GeoScale): not in this inventory; the module reads it there
        elif name not in backends:
            check.error(c_where + '.backend', name, 'a backend of ovs_backends: {0}'.format(
                ', '.join(str(n) for n in backends) or 'none'))
        else:
            presets = _backend_presets(check, backends[name])
            if settings.get('preset', 'default') not in presets:
                check.error(c_where + '.preset', settings.get('preset'), 'a preset of backend {0}: {1}'.format(
                    name, ', '.join(presets)))
        if not _cache_on(settings, cache):
            check.error(c_where + '.backend', name, 'the {0} is off ({1}.on_read and {1}.on_write are false); '
                        'allowed: on_read and/or on_write true with a cache backend'.format(
                            cache.replace('_', ' '), cache))


def _check_vpool_refs(check, where, item, backends, roles_of):
    """The backend, preset and cache backends of a vPool and the disk roles of its storage routers."""
    backend = backends.get(item.get('backend'))
    if backend is None:
        check.error(where + '.backend', item.get('backend'), 'a backend of ovs_backends: {0}'.format(
            ', '.join(str(n) for n in backends) or 'none'))
    else:
        presets = _backend_presets(check, backend)
        if item.get('preset', 'default') not in presets:
            check.error(where + '.preset', item.get('preset'), 'a preset of backend {0}: {1}'.format(
                item.get('backend'), ', '.join(presets)))
    _check_vpool_caches(check, where, item, backends)
    routers = check.hosts(where + '.storagerouters', item.get('storagerouters'), check.framework,
                          'controllers or computenodes (storage nodes run no vPool)')
    for host in routers:
        missing = [r for r in VPOOL_ROLES if r not in roles_of.get(host, set())]
        if missing:
            check.error(where + '.storagerouters', host, 'a vPool needs partitions with the roles DB, DTL and '
                        'WRITE on each storage router; ovs_disk_roles of {0} has no {1}'.format(host, ', '.join(missing)))


def _check_vpool_sizes(check, where, item):
    """Rules between the sizes of one vPool."""
    if item.get('sco_size') == 128 and _is_int(item.get('write_buffer')) and item['write_buffer'] < 256:
        check.error(where + '.write_buffer', item['write_buffer'], 'at least 256 when sco_size is 128')
    size = item.get('writecache_size')
    if size is None:
        check.error(where + '.writecache_size', None, 'the global write buffer of each storage router in GiB, '
                    'an integer from 1 to 10240, is required')
        return
    local = [cache for cache in CACHES if _local_cache(item, cache)]
    proxies = item.get('proxies', 2) if _is_int(item.get('proxies', 2)) else 2
    if local and _is_int(size) and size < 10 * proxies * len(local):
        check.error(where + '.writecache_size', size, 'at least {0} with {1} proxies: 10% of the write buffer is the '
                    'local {2}, at least 1 GiB per proxy{3} (or turn the {4} off, or put it on a backend)'.format(
                        10 * proxies * len(local), proxies, ' and '.join(c.replace('_', ' ') for c in local),
                        ' and cache' if len(local) > 1 else '', ' and '.join(c.replace('_', ' ') for c in local)))


def _local_cache(item, cache):
    """Whether the proxies of a vPool keep ``cache`` on the local WRITE partition (on, and on no backend)."""
    settings = _cache_settings(item, cache)
    return settings.get('backend') is None and _cache_on(settings, cache)


def _cache_settings(item, cache):
    return item.get(cache) if isinstance(item.get(cache), dict) else {}


def _cache_on(settings, cache):
    """Whether a cache of a vPool is on: on_read or on_write (framework defaults: the fragment cache on, the block
    cache off)."""
    default = cache == 'fragment_cache'
    return bool(settings.get('on_read', default) or settings.get('on_write', default))


def _check_vpools(check, vpools, backends, roles_of):
    items = check.items(vpools)
    check.unique('ovs_vpools', items)
    result = {}
    for index, item in items:
        where = 'ovs_vpools[{0}]'.format(index)
        result[item.get('name')] = dict(item, _index=index)
        if item.get('state') == 'absent':
            continue
        _check_vpool_refs(check, where, item, backends, roles_of)
        _check_vpool_sizes(check, where, item)
    if any(roles_of.values()) and items and not any('SCRUB' in roles for roles in roles_of.values()):
        check.errors.append('ovs_disk_roles gives no storage router the SCRUB role: a vPool needs a partition with '
                            'the SCRUB role somewhere in the cluster')
    return result


def _check_vdisks(check, vdisks, vpools):
    seen = set()
    for index, item in check.items(vdisks):
        if item.get('state') == 'absent':
            continue
        where = 'ovs_vdisks[{0}]'.format(index)
        name = item.get('name')
        if (item.get('vpool'), name) in seen:
            check.error(where + '.name', name, 'A vDisk with this name already exists on vPool {0}'.format(item.get('vpool')))
        seen.add((item.get('vpool'), name))
        vpool = vpools.get(item.get('vpool'))
        if vpool is None:
            check.error(where + '.vpool', item.get('vpool'), 'a vPool of ovs_vpools: {0}'.format(
                ', '.join(str(n) for n in vpools) or 'none'))
        elif vpool.get('state') == 'absent':
            check.error('ovs_vpools[{0}].state'.format(vpool['_index']), 'absent', 'vPool {0} cannot be removed while '
                        'vDisk {1} lives on it (ovs_vdisks[{2}]): remove the vDisk first'.format(vpool.get('name'), name, index))
        elif item.get('storagerouter') is not None and item['storagerouter'] not in (vpool.get('storagerouters') or []):
            check.error(where + '.storagerouter', item['storagerouter'], 'a storage router of vPool {0}: {1} (a vPool '
                        'cannot be shrunk from a storage router that serves vDisks)'.format(
                            item.get('vpool'), ', '.join(vpool.get('storagerouters') or [])))
        if item.get('size') is None:
            check.error(where + '.size', None, 'the size of a new vDisk (bytes or a size such as 10GiB) is required')


def storage_layout_check(layout, groups, hostvars):
    """``{'errors': [...], 'warnings': [...]}`` of the declared storage layout: the rules between options and
    objects. Each option on its own is the concern of the roles' argument specs (``argument_spec_errors``).

    ``layout`` holds ``ovs_domains``, ``ovs_backends``, ``ovs_vpools``, ``ovs_vdisks``
    (missing keys mean none); ``ovs_disk_roles`` is read from ``hostvars`` per storage router.
    """
    check = _Check(groups, hostvars)
    roles_of = _check_disk_roles(check)
    _check_domains(check, layout.get('ovs_domains'))
    backends = _check_backends(check, layout.get('ovs_backends'), roles_of)
    vpools = _check_vpools(check, layout.get('ovs_vpools'), backends, roles_of)
    _check_vdisks(check, layout.get('ovs_vdisks'), vpools)
    return {'errors': check.errors, 'warnings': check.warnings}


def asd_slots(backends, hostname, groups, hostvars):
    """What one storage node gives: ``[{'backend', 'disks', 'slots': [{'disk', 'asds'}]}]`` of the
    LOCAL backends (``slots`` in the shape of the alba_node module's option). An ``asds`` entry without
    ``hosts`` takes the storage nodes of ``default_asd_hosts`` (``excellerated_backend`` of ``hostvars``)."""
    result = []
    for backend in backends or []:
        if backend.get('scaling', 'LOCAL') != 'LOCAL':
            continue
        default = default_asd_hosts(backend, groups.get('storagenodes', []), hostvars)
        for asd in backend.get('asds') or []:
            if hostname in asd.get('hosts', default):
                per_disk = asd.get('asds_per_disk', 1)
                result.append({'backend': backend['name'], 'disks': list(asd['disks']),
                               'slots': [{'disk': disk, 'asds': per_disk} for disk in asd['disks']]})
    return result


class FilterModule(object):
    """HyperScale storage layout filters."""

    def filters(self):
        return {
            'storage_layout_check': storage_layout_check,
            'asd_slots': asd_slots,
            'size_bytes': size_bytes,
        }
