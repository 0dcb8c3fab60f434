# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: phase_timings
author: Open vStorage HyperScale developers (@openvstorage)
version_added: 0.1.0
type: aggregate
short_description: How long each play (phase) of a run took
description:
  - At the end of a run, prints one line per play with the seconds it took and its name, in the order the plays ran,
    then the total of the run.
  - A play lasts from its start to the start of the next play (or the end of the run); a play that its tags skip
    shows with the little time it took to find that out.
  - The phases of C(hyperscale.yml) are its plays, so this shows where a cluster build spends its time.
  - Runs from a clone of the repository enable it through the C(ansible.cfg) at the top of the clone.
requirements:
  - enabled in the configuration - C(callbacks_enabled = openvstorage.hyperscale.phase_timings) in the
    C([defaults]) section of C(ansible.cfg), or C(ANSIBLE_CALLBACKS_ENABLED=openvstorage.hyperscale.phase_timings)
    in the environment; it prints alongside the stdout callback.
'''

import time

from ansible.plugins.callback import CallbackBase


def format_line(seconds, name):
    """``  12.3s  Install the packages``: the seconds right-aligned, then the name."""
    return u'{0:9.1f}s  {1}'.format(seconds, name)


class CallbackModule(CallbackBase):
    """Record when each play starts; at the end print each play's duration and the total."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'openvstorage.hyperscale.phase_timings'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.clock = time.time
        self.started = None
        self.plays = []  # [name, start, end]

    def _close_play(self, now):
        if self.plays and self.plays[-1][2] is None:
            self.plays[-1][2] = now

    def v2_playbook_on_start(self, playbook):
        if self.started is None:
            self.started = self.clock()

    def v2_playbook_on_play_start(self, play):
        now = self.clock()
        if self.started is None:
            self.started = now
        self._close_play(now)
        self.plays.append([play.get_name().strip(), now, None])

    def v2_playbook_on_stats(self, stats):
        if not self.plays:
            return
        now = self.clock()
        self._close_play(now)
        self._display.banner(u'PHASE TIMINGS')
        for name, start, end in self.plays:
            self._display.display(format_line(end - start, name))
        self._display.display(format_line(now - self.started, u'Total'))
