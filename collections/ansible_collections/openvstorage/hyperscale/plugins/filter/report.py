# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a run of hyperscale.yml built, as files for the operator.

Both filters take the registered result of ``ovs_cluster_info`` with everything gathered
(``gather: [storagerouters, asds, domains, backend_status, vpools, vdisks]``) and return text:
``cluster_report_markdown`` a Markdown document, ``cluster_topology_svg`` a self-contained SVG
picture. The output depends on the cluster only: sorted, no timestamps, no usage figures, so an
unchanged cluster gives byte-identical files (and ``copy`` reports no change).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six import text_type


def escape(value):
    """``&``, ``<`` and ``>`` of a text as XML entities (what xml.sax.saxutils.escape does; that module imports
    urllib.request, and every worker process that resolves a filter of the collection loads this file)."""
    return value.replace(u'&', u'&amp;').replace(u'<', u'&lt;').replace(u'>', u'&gt;')


MD_SPECIAL = '\\`*_[]<>|#'
UNITS = ('B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB')
NONE = '-'


# ---------------------------------------------------------------------- shared helpers
def text(value):
    return u'' if value is None else text_type(value)


def human_size(value, unit=0):
    """``1073741824`` -> ``1 GiB``; ``unit`` is the index in UNITS of the unit of ``value``."""
    if value is None or isinstance(value, bool):
        return NONE
    try:
        size = float(value)
    except (TypeError, ValueError):
        return text(value)
    while abs(size) >= 1024 and unit < len(UNITS) - 1:
        size /= 1024.0
        unit += 1
    number = u'%d' % size if size == int(size) else (u'%.1f' % size)
    return u'%s %s' % (number, UNITS[unit])


def node_label(node):
    """An ALBA node by its name (the inventory name the roles give it), else its node id."""
    return text(node.get('name') or node.get('node_id'))


def policy_text(policy):
    if isinstance(policy, (list, tuple)):
        return u'(%s)' % u', '.join(text(p) for p in policy)
    return text(policy)


def claims(cluster):
    """``{backend name: {node label: ASD count}}`` of the ASDs claimed, from the disks of the ALBA nodes."""
    found = {}
    for node in cluster.get('alba_nodes') or []:
        for disk in node.get('disks') or []:
            for asd in disk.get('asds') or []:
                if asd.get('claimed_by'):
                    per_node = found.setdefault(text(asd['claimed_by']), {})
                    per_node[node_label(node)] = per_node.get(node_label(node), 0) + 1
    return found


def labelled_snapshots(vdisk):
    """The snapshots an operator named; automatic ones carry no label and come and go with the schedule."""
    return [text(s) for s in vdisk.get('snapshots') or [] if s]


# ---------------------------------------------------------------------- Markdown
def md(value):
    """``value`` as Markdown text: punctuation with a meaning escaped, ``&`` as an entity, one line."""
    result = u''.join(u'\\' + c if c in MD_SPECIAL else c for c in text(value))
    return result.replace(u'&', u'&amp;').replace(u'\r', u' ').replace(u'\n', u' ')


def code(value):
    value = text(value)
    return u'`%s`' % value if value and u'`' not in value and u'\n' not in value else md(value)


def names(values):
    return u', '.join(md(v) for v in values) if values else NONE


def table(headers, rows):
    lines = [u'| %s |' % u' | '.join(headers), u'|' + u'---|' * len(headers)]
    lines.extend(u'| %s |' % u' | '.join(cell or NONE for cell in row) for row in rows)
    return lines


def section(title, lines, empty):
    return [u'## %s' % title, u''] + (lines if lines else [empty]) + [u'']


def md_domains(cluster):
    return table([u'Domain', u'Storage routers', u'Recovery storage routers'],
                 [[md(d.get('name')), names(d.get('storagerouters')), names(d.get('recovery_storagerouters'))]
                  for d in cluster.get('domains') or []]) if cluster.get('domains') else []


def md_storagerouters(cluster):
    routers = cluster.get('storagerouters') or []
    return table([u'Name', u'IP', u'Type', u'Status', u'Domains', u'Recovery domains'],
                 [[md(r.get('name')), code(r.get('ip')), md(r.get('node_type')), md(r.get('status')),
                   names(r.get('domains')), names(r.get('recovery_domains'))] for r in routers]) if routers else []


def md_alba_nodes(cluster):
    lines = []
    for node in cluster.get('alba_nodes') or []:
        lines += [u'### %s' % md(node_label(node)), u'',
                  u'Node id %s, ASD manager %s' % (code(node.get('node_id')),
                                                   code(u'%s:%s' % (text(node.get('ip')), text(node.get('port'))))),
                  u'']
        for disk in node.get('disks') or []:
            lines.append(u'- disk %s (%s, %s): %s' % (code(disk.get('slot_id')), code(disk.get('device')),
                                                      human_size(disk.get('size')), md(disk.get('status'))))
            for asd in disk.get('asds') or []:
                owner = u'claimed by %s' % md(asd['claimed_by']) if asd.get('claimed_by') else u'not claimed'
                lines.append(u'  - ASD %s: %s, %s' % (code(asd.get('asd_id')), md(asd.get('status')), owner))
        if not node.get('disks'):
            lines.append(u'No disks.')
        lines.append(u'')
    waiting = [n.get('node_id') for n in cluster.get('alba_nodes_discovered') or []]
    if waiting:
        lines += [u'Set up but not registered: %s' % u', '.join(code(n) for n in waiting), u'']
    return lines[:-1]


def md_backends(cluster):
    lines = []
    claimed = claims(cluster)
    for backend in cluster.get('backends') or []:
        per_node = claimed.get(text(backend.get('name')), {})
        links = [u'%s (preset %s%s)' % (md(link.get('name')), md(link.get('preset')),
                                        u', cluster at %s' % md(link['remote_host']) if link.get('remote_host') else u'')
                 for link in backend.get('linked_backends') or []]
        lines += [u'### %s' % md(backend.get('name')), u'',
                  u'- Scaling: %s' % md(backend.get('scaling')),
                  u'- Status: %s' % md(backend.get('live_status') or
                                       ('available' if backend.get('available') else 'not available')),
                  u'- ASDs claimed: %s' % (u', '.join(u'%d on %s' % (per_node[n], md(n)) for n in sorted(per_node))
                                           or NONE),
                  u'- Linked backends: %s' % (u', '.join(links) or NONE), u'']
        lines += table([u'Preset', u'Policies (k, m, c, x)', u'Compression', u'Fragment size', u'Default',
                        u'Available', u'In use'],
                       [[md(p.get('name')), u', '.join(policy_text(x) for x in p.get('policies') or []),
                         md(p.get('compression')), human_size(p.get('fragment_size'))]
                        + [u'yes' if p.get(k) else u'no' for k in ('is_default', 'is_available', 'in_use')]
                        for p in backend.get('presets') or []])
        lines.append(u'')
    return lines[:-1]


def md_vpools(cluster):
    rows = []
    for vpool in cluster.get('vpools') or []:
        config = vpool.get('configuration') or {}
        dtl = code(config.get('dtl_mode'))
        if config.get('dtl_transport'):
            dtl += u' (%s)' % code(config['dtl_transport'])
        rows.append([md(vpool.get('name')), md(vpool.get('status')), md(vpool.get('backend')),
                     md(vpool.get('preset')), names(vpool.get('storagerouters')),
                     human_size(config.get('sco_size'), 2), human_size(config.get('cluster_size'), 1), dtl,
                     human_size(config.get('write_buffer'), 2)])
    return table([u'vPool', u'Status', u'Backend', u'Preset', u'Storage routers', u'SCO size', u'Cluster size',
                  u'DTL', u'Write buffer'], rows) if rows else []


def md_vdisks(cluster):
    vdisks = cluster.get('vdisks') or []
    return table([u'vDisk', u'vPool', u'Size', u'Storage router', u'Snapshots', u'Cloned from'],
                 [[md(v.get('name')), md(v.get('vpool')), human_size(v.get('size')), md(v.get('storagerouter')),
                   names(labelled_snapshots(v)), md(v.get('parent_vdisk'))] for v in vdisks]) if vdisks else []


def cluster_report_markdown(cluster):
    """The Markdown report of an ``ovs_cluster_info`` result."""
    cluster = cluster or {}
    counts = [(len(cluster.get(key) or []), label if len(cluster.get(key) or []) == 1 else label + u's')
              for key, label in (('storagerouters', u'storage router'), ('alba_nodes', u'ALBA node'),
                                 ('backends', u'backend'), ('vpools', u'vPool'), ('vdisks', u'vDisk'))]
    lines = [u'# Open vStorage cluster %s' % code(cluster.get('cluster_id')), u'',
             u'- Release: %s' % md(cluster.get('release')),
             u'- %s' % u', '.join(u'%d %s' % count for count in counts), u'']
    lines += section(u'Domains', md_domains(cluster), u'No domains.')
    lines += section(u'Storage routers', md_storagerouters(cluster), u'No storage routers.')
    lines += section(u'ALBA nodes', md_alba_nodes(cluster), u'No ALBA nodes.')
    lines += section(u'Backends', md_backends(cluster), u'No backends.')
    lines += section(u'vPools', md_vpools(cluster), u'No vPools.')
    lines += section(u'vDisks', md_vdisks(cluster), u'No vDisks.')
    return u'\n'.join(lines[:-1]) + u'\n'


# ---------------------------------------------------------------------- SVG
BOX_W = 170  # a box of a node, vPool or backend
BOX_H = 44
GAP_Y = 16  # between two boxes of a column
COL_GAP = 90  # between two columns (their frames)
MARGIN = 20  # around the picture and inside a frame
TITLE_H = 28  # the title of a frame
STYLE = (u'text{font-family:sans-serif;font-size:12px;fill:#222}'
         u'.title{font-size:13px;font-weight:bold}'
         u'.group{fill:#f6f6f6;stroke:#999;stroke-dasharray:4 3}'
         u'.node{stroke:#333;stroke-width:1}'
         u'.controller{fill:#cfe3ff}.compute{fill:#d8f5d0}.vpool{fill:#ffe7b8}'
         u'.backend{fill:#f3d1f7}.global{fill:#e2c2ff}.remote{fill:#ececec}.storage{fill:#ffd4cc}'
         u'.link{stroke:#555;stroke-width:1.2;fill:none}.claim{stroke:#b04a3a}.linked{stroke:#7a3db8;'
         u'stroke-dasharray:6 3}')


# groups drawn under the one before them, in the same column: compute nodes under the controllers,
# local backends under the global ones, and the backends of other clusters under them (a link between backends
# is an arc on the column's right)
STACKED = ((u'controller', u'compute'), (u'global', u'backend'), (u'backend', u'remote'), (u'global', u'remote'))


def svg_columns(cluster):
    """``[(group title, css class, [(key, label, detail)])]`` from left to right; empty groups are left out."""
    routers = cluster.get('storagerouters') or []
    backends = cluster.get('backends') or []
    groups = [
        (u'Controllers', u'controller', [(('sr', r.get('name')), r.get('name'), r.get('ip'))
                                         for r in routers if r.get('node_type') == 'MASTER']),
        (u'Compute nodes', u'compute', [(('sr', r.get('name')), r.get('name'), r.get('ip'))
                                        for r in routers if r.get('node_type') != 'MASTER']),
        (u'vPools', u'vpool', [(('vpool', v.get('name')), v.get('name'), u'preset %s' % text(v.get('preset')))
                               for v in cluster.get('vpools') or []]),
        (u'Global backends', u'global', [(('backend', b.get('name')), b.get('name'), b.get('live_status'))
                                         for b in backends if b.get('scaling') == 'GLOBAL']),
        (u'Local backends', u'backend', [(('backend', b.get('name')), b.get('name'), b.get('live_status'))
                                         for b in backends if b.get('scaling') != 'GLOBAL']),
        (u'Backends of other clusters', u'remote', remote_backends(cluster)),
        (u'Storage nodes', u'storage', [(('node', node_label(n)), node_label(n), n.get('ip'))
                                        for n in cluster.get('alba_nodes') or []]),
    ]
    return [group for group in groups if group[2]]


def linked_key(link):
    """The box of a linked backend: one of this cluster's backends, or one of another cluster (GeoScale)."""
    if link.get('remote_host'):
        return ('remote', link['remote_host'], link.get('name'))
    return ('backend', link.get('name'))


def remote_backends(cluster):
    """``[(key, name, detail)]`` of the backends of other clusters linked into this one's GLOBAL backends."""
    found = {}
    for backend in cluster.get('backends') or []:
        for link in backend.get('linked_backends') or []:
            if link.get('remote_host'):
                found[linked_key(link)] = (link.get('name'), u'cluster at %s' % text(link['remote_host']))
    return [(key, found[key][0], found[key][1]) for key in sorted(found)]


def svg_links(cluster):
    """``[(from key, to key, css class)]``: vPool -> storage routers and backend, backend -> linked
    backends and the nodes whose ASDs it claimed."""
    links = []
    for vpool in cluster.get('vpools') or []:
        key = ('vpool', vpool.get('name'))
        links += [(key, ('sr', name), u'link') for name in vpool.get('storagerouters') or []]
        if vpool.get('backend'):
            links.append((key, ('backend', vpool['backend']), u'link'))
    for backend in cluster.get('backends') or []:
        key = ('backend', backend.get('name'))
        links += [(key, linked_key(link), u'link linked') for link in backend.get('linked_backends') or []]
    for backend, per_node in sorted(claims(cluster).items()):
        links += [(('backend', backend), ('node', node), u'link claim') for node in sorted(per_node)]
    return links


def svg_layout(columns):
    """Positions: ``{key: (x, y)}`` of each box, the group frames, and the picture's size."""
    places, frames = {}, []
    x, bottom, column_y, previous = MARGIN, 0, MARGIN, None
    for title, css, items in columns:
        if previous is not None and (previous, css) not in STACKED:
            x += BOX_W + 2 * MARGIN + COL_GAP
            column_y = MARGIN
        top = column_y
        y = top + TITLE_H
        for key, label, detail in items:
            places.setdefault(key, (x + MARGIN, y))
            y += BOX_H + GAP_Y
        frames.append((title, css, x, top, y - top - GAP_Y + MARGIN, items))
        column_y = y - GAP_Y + 2 * MARGIN
        bottom = max(bottom, column_y)
        previous = css
    return places, frames, x + BOX_W + 2 * MARGIN + MARGIN, bottom


def svg_edge(places, link):
    (x1, y1), (x2, y2) = places[link[0]], places[link[1]]
    if x1 > x2:
        (x1, y1), (x2, y2) = (x2, y2), (x1, y1)
    if x1 == x2:  # same column: an arc on the right side
        return u'<path class="%s" d="M %d %d C %d %d %d %d %d %d"/>' % (
            link[2], x1 + BOX_W, y1 + BOX_H // 2, x1 + BOX_W + 60, y1 + BOX_H // 2, x2 + BOX_W + 60,
            y2 + BOX_H // 2, x2 + BOX_W, y2 + BOX_H // 2)
    return u'<line class="%s" x1="%d" y1="%d" x2="%d" y2="%d"/>' % (
        link[2], x1 + BOX_W, y1 + BOX_H // 2, x2, y2 + BOX_H // 2)


def svg_frame(frame, places):
    title, css, x, top, height, items = frame
    parts = [u'<g class="kind-%s">' % css,
             u'<rect class="group" x="%d" y="%d" width="%d" height="%d" rx="8"/>' % (
                 x, top, BOX_W + 2 * MARGIN, height),
             u'<text class="title" x="%d" y="%d">%s</text>' % (x + 10, top + 18, escape(title))]
    for key, label, detail in items:
        bx, by = places[key]
        box = u'<rect class="node %s" x="%d" y="%d" width="%d" height="%d" rx="4"/>' % (css, bx, by, BOX_W, BOX_H)
        parts += [box,
                  u'<text x="%d" y="%d">%s</text>' % (bx + 8, by + 18, escape(text(label))),
                  u'<text x="%d" y="%d" font-size="10">%s</text>' % (bx + 8, by + 34, escape(text(detail)))]
    return parts + [u'</g>']


def cluster_topology_svg(cluster):
    """The topology picture (SVG 1.1, no external reference) of an ``ovs_cluster_info`` result."""
    cluster = cluster or {}
    places, frames, width, height = svg_layout(svg_columns(cluster))
    width, height = max(width, 2 * MARGIN + BOX_W), max(height, 2 * MARGIN + TITLE_H)
    parts = [u'<?xml version="1.0" encoding="UTF-8"?>',
             u'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d">'
             % (width, height, width, height),
             u'<title>Open vStorage cluster %s</title>' % escape(text(cluster.get('cluster_id'))),
             u'<style>%s</style>' % STYLE, u'<g class="links">']
    seen = set()
    for link in svg_links(cluster):
        if link[0] in places and link[1] in places and link[:2] not in seen:
            seen.add(link[:2])
            parts.append(svg_edge(places, link))
    parts.append(u'</g>')
    for frame in frames:
        parts += svg_frame(frame, places)
    return u'\n'.join(parts + [u'</svg>']) + u'\n'


class FilterModule(object):
    def filters(self):
        return {
            'cluster_report_markdown': cluster_report_markdown,
            'cluster_topology_svg': cluster_topology_svg,
        }
