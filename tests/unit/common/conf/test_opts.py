# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Tests of the option modules and of opts.py."""

import importlib
import pkgutil

from oslo_config import cfg
from oslo_config import types
from oslo_log import log

from tests import base
from trellis.common import conf as trellis_conf
from trellis.common.conf import opts

# Modules of the conf package that define no group of their own.
_NOT_GROUPS = {'opts', 'database'}


def _group_modules():
    for info in pkgutil.iter_modules(trellis_conf.__path__):
        if info.name in _NOT_GROUPS:
            continue
        yield info.name, importlib.import_module(
            'trellis.common.conf.%s' % info.name)


def _all_opts():
    for group, group_opts in opts.list_opts():
        for opt in group_opts:
            yield group, opt


class TestOptionModules(base.TestCase):

    def test_every_module_has_list_and_register(self):
        for name, module in _group_modules():
            self.assertTrue(callable(getattr(module, 'list_opts', None)),
                            name)
            self.assertTrue(callable(getattr(module, 'register_opts', None)),
                            name)

    def test_every_option_has_help(self):
        for group, opt in _all_opts():
            self.assertTrue(opt.help and opt.help.strip(),
                            'option [%s] %s has no help' % (group, opt.name))

    def test_numbers_have_a_lower_bound(self):
        for group, opt in _all_opts():
            if isinstance(opt.type, (types.Integer, types.Float)):
                where = '[%s] %s' % (group, opt.name)
                self.assertIsNotNone(opt.type.min, where + ' has no min')

    def test_defaults_are_valid(self):
        for group, opt in _all_opts():
            if opt.default is None:
                continue
            where = '[%s] %s' % (group, opt.name)
            # The option's own type checks ranges, choices and regexes.
            try:
                opt.type(opt.default)
            except ValueError as exc:
                self.fail('%s: default %r is invalid: %s'
                          % (where, opt.default, exc))

    def test_every_option_is_registered(self):
        for group, opt in _all_opts():
            conf_group = (self.conf if group == 'DEFAULT'
                          else getattr(self.conf, group))
            # Reading it proves it is registered (NoSuchOptError if not).
            getattr(conf_group, opt.dest)

    def test_ranges_are_enforced(self):
        self.assertRaises(ValueError, self.config, lease_ttl=1,
                          group='service')
        self.assertRaises(ValueError, self.config, lock_ttl=100000,
                          group='coordination')
        self.assertRaises(ValueError, self.config, timeout=0,
                          group='etcd')
        self.assertRaises(ValueError, self.config, prefix='no-slash',
                          group='etcd')
        self.assertRaises(ValueError, self.config,
                          notification_level='loud')


class TestListOpts(base.TestCase):

    def test_covers_every_group(self):
        listed = dict(opts.list_opts())
        for name, module in _group_modules():
            group = getattr(module, 'group', None)
            group_name = group.name if group is not None else 'DEFAULT'
            self.assertIn(group_name, set(listed), 'module %s' % name)
            self.assertEqual(
                sorted(o.name for o in module.list_opts()),
                sorted(o.name for o in listed[group_name]),
                'group %s' % group_name)

    def test_groups_are_sorted_with_default_first(self):
        names = [group for group, _ in opts.list_opts()]
        self.assertEqual('DEFAULT', names[0])
        self.assertEqual(sorted(names[1:]), names[1:])

    def test_every_registered_trellis_group_is_listed(self):
        listed = {group for group, _ in opts.list_opts()}
        for name, module in _group_modules():
            group = getattr(module, 'group', None)
            if group is not None:
                self.assertIn(group.name, self.conf, name)
                self.assertIn(group.name, listed)

    def test_options_are_copies(self):
        first = opts.list_opts()
        first[0][1].append('junk')
        self.assertNotIn('junk', opts.list_opts()[0][1])


class TestUpdateOptDefaults(base.TestCase):

    def test_quiets_chatty_libraries(self):
        conf = cfg.ConfigOpts()
        log.register_options(conf)
        opts.update_opt_defaults()
        conf([], project='trellis-test')
        levels = conf.default_log_levels
        for entry in ('amqp=WARNING', 'kombu=WARNING', 'tooz=INFO',
                      'oslo_messaging=INFO'):
            self.assertIn(entry, levels)
        # oslo.log's own defaults are kept.
        for entry in log.get_default_log_levels():
            self.assertIn(entry, levels)

    def test_idempotent_and_trellis_levels_win(self):
        conf = cfg.ConfigOpts()
        log.register_options(conf)
        opts.update_opt_defaults()
        once = list(conf.default_log_levels)
        opts.update_opt_defaults()
        self.assertEqual(once, conf.default_log_levels)
        # oslo.log applies the entries in order, so the last one of a
        # logger is its level; it must be Trellis's own choice.
        effective = dict(entry.split('=', 1) for entry in once)
        for entry in opts._QUIET_LOGGERS:
            logger, level = entry.split('=', 1)
            self.assertEqual(level, effective[logger], logger)
