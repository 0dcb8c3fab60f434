# -*- coding: utf-8 -*-
"""A stand-in for OvsApiClient in the tests of the resource layer: answers from tables, records every read."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class RecordingClient(object):
    """``lists``: {resource: [objects]}; ``objects``: {path: object}. Each read is recorded as
    (method, path, contents, params); a read without contents fails at once."""

    def __init__(self, lists=None, objects=None):
        self.lists = lists or {}
        self.objects = objects or {}
        self.reads = []

    def _record(self, method, path, contents, params=None):
        assert contents, 'a read without contents: {0} {1}'.format(method, path)
        self.reads.append((method, path, contents, params))

    def list(self, resource, contents=None, query=None, params=None):
        self._record('list', resource, contents, params)
        return [dict(item) for item in self.lists.get(resource, [])]

    def find(self, resource, field, value, contents):
        self._record('find', resource, contents, {field: value})
        return [dict(item) for item in self.lists.get(resource, []) if item.get(field) == value]

    def get(self, path, params=None, auth=True, contents=None):
        self._record('get', path, contents, params)
        return dict(self.objects[path])
