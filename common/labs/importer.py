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


"""Import lab files: parse, validate, plan the changes, apply them.

Everything happens in one database transaction: the checks that need
the database (a MAC, host name or BMC address enrolled in another
cluster) run inside it, and if any check fails nothing is written. The
plan compares the lab with what the cluster holds and touches only what
differs, so importing the same files twice reports every object
``unchanged``. A host in no cluster whose MAC (or name) the lab gives
is adopted, as Daisy maps discovered hosts onto ``deploy.yml`` entries
by MAC (guide §1.4.1).

Passwords are compared and written, never logged or reported.
"""

import collections
import dataclasses
import functools
from typing import Any

from oslo_db import api as oslo_db_api
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log

from trellis.common import exception
from trellis.common.db import api as db_api
from trellis.common.i18n import _
from trellis.common.labs import checks
from trellis.common.labs import daisy
from trellis.common.labs import model
from trellis.common.labs import source
from trellis.common.labs import tripleo

LOG = log.getLogger(__name__)

FORMATS = ('daisy', 'tripleo')
KINDS = ('cluster', 'network', 'role', 'host', 'interface',
         'host_role')
ACTIONS = ('created', 'updated', 'deleted', 'unchanged')
CONTROLLER_VIP_ROLES = model.CONTROLLER_ROLES


def detect_format(files: list[dict[str, str]]) -> str:
    """``tripleo`` for a JSON nodes file, else ``daisy``."""
    for item in files:
        name = str(item.get('name') or '')
        content = str(item.get('content') or '').lstrip()
        if name.endswith('.json') or content.startswith('{'):
            return 'tripleo'
    return 'daisy'


def parse_files(files: list[dict[str, str]], fmt: str | None = None,
                cluster: str | None = None) -> model.Lab:
    """The lab the files describe, fully checked (no database needed).

    :raises: LabInvalid with every problem found.
    """
    errors = model.Errors()
    fmt = fmt or detect_format(files)
    if fmt not in FORMATS:
        errors.add(model.Where('', None, 'format'), _(
            'unknown format %(fmt)r; expected one of: %(formats)s')
            % {'fmt': fmt, 'formats': ', '.join(FORMATS)})
        errors.raise_if_any()
    if fmt == 'tripleo':
        lab = _parse_tripleo(files, cluster, errors)
    else:
        lab = _parse_daisy(files, cluster, errors)
    if lab is not None:
        if not lab.cluster:
            errors.add(lab.cluster_where, _(
                'no cluster name; expected "cluster: NAME" in the file or '
                'a cluster name given with the import'))
        # Whole-lab checks run on what parsed; the role counts only when
        # every host parsed (a misspelt role would skew them).
        checks.check_lab(lab, errors, counts=not errors)
    errors.raise_if_any()
    return lab


def _parse_tripleo(files, cluster, errors) -> model.Lab | None:
    if len(files) != 1:
        errors.add(model.Where('', None, 'files'), _(
            'a TripleO import takes exactly one nodes JSON file, got %d')
            % len(files))
        return None
    item = files[0]
    doc = source.load_json(item.get('name') or tripleo.NODES,
                           item.get('content') or '', errors)
    return tripleo.parse(doc, cluster, errors) if not errors else None


def _classify(item: dict[str, str], doc: source.Document) -> str | None:
    name = (item.get('name') or '').lower()
    if 'deploy' in name:
        return 'deploy'
    if 'network' in name:
        return 'network'
    if isinstance(doc.data, dict):
        if 'hosts' in doc.data:
            return 'deploy'
        if 'networks' in doc.data:
            return 'network'
    return None


def _parse_daisy(files, cluster, errors) -> model.Lab | None:
    found: dict[str, source.Document] = {}
    for index, item in enumerate(files):
        name = item.get('name') or 'files[%d]' % index
        doc = source.load_yaml(name, item.get('content') or '', errors)
        kind = _classify(item, doc)
        if kind is None:
            errors.add(model.Where(name, None, ''), _(
                'neither a deploy.yml (with hosts) nor a network.yml (with '
                'networks)'))
        elif kind in found:
            errors.add(model.Where(name, None, ''), _(
                'a second %(kind)s file (the first is %(first)s)') % {
                'kind': kind, 'first': found[kind].name})
        else:
            found[kind] = doc
    for kind, default in (('deploy', daisy.DEPLOY),
                          ('network', daisy.NETWORK)):
        if kind not in found:
            errors.add(model.Where(default, None, ''), _(
                'missing file: a Daisy lab needs deploy.yml and '
                'network.yml'))
    if errors:
        return None
    return daisy.parse(found['deploy'], found['network'], cluster, errors)


@dataclasses.dataclass
class Report:
    """What an import did (or would do, for a dry run)."""

    cluster: str
    format: str
    dry_run: bool
    changes: list[dict[str, str]] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    cluster_uuid: str | None = None

    def add(self, kind: str, name: str, action: str) -> None:
        self.changes.append({'resource': kind, 'name': name,
                             'action': action})

    def as_dict(self) -> dict[str, Any]:
        summary = {kind: dict.fromkeys(ACTIONS, 0) for kind in KINDS}
        for change in self.changes:
            summary[change['resource']][change['action']] += 1
        changed = any(c['action'] != 'unchanged' for c in self.changes)
        return {'cluster': {'name': self.cluster,
                            'uuid': self.cluster_uuid},
                'format': self.format, 'dry_run': self.dry_run,
                'result': 'changed' if changed else 'unchanged',
                'summary': summary, 'changes': self.changes,
                'warnings': self.warnings}


def import_lab(context, files: list[dict[str, str]], fmt: str | None = None,
               cluster: str | None = None, dry_run: bool = False
               ) -> dict[str, Any]:
    """Import lab files into the database, all or nothing.

    :returns: the change report (``Report.as_dict``).
    :raises: LabInvalid (nothing written), Conflict from the database if
        a concurrent request enrolled the same MAC meanwhile.
    """
    lab = parse_files(files, fmt, cluster)
    report = _plan_and_apply(context, lab, dry_run)
    LOG.info('Lab import into cluster %(cluster)s (%(fmt)s, dry run: '
             '%(dry)s): %(summary)s',
             {'cluster': lab.cluster, 'fmt': lab.format, 'dry': dry_run,
              'summary': {k: {a: n for a, n in v.items() if n}
                          for k, v in report.as_dict()['summary'].items()}})
    return report.as_dict()


# On Galera a transaction that loses the certification race fails at
# commit with a deadlock error: plan and apply again from the start.
@oslo_db_api.wrap_db_retry(max_retries=3, retry_on_deadlock=True)
def _plan_and_apply(context, lab: model.Lab, dry_run: bool) -> Report:
    report = Report(cluster=lab.cluster or '', format=lab.format,
                    dry_run=dry_run, warnings=list(lab.warnings))
    with enginefacade.writer.using(context):
        planner = _Planner(context, lab, report)
        planner.plan()
        if not dry_run:
            planner.apply()
    return report


def _ranges(net: model.Network) -> list[dict[str, str]]:
    return [{'start': s, 'end': e} for s, e in net.ip_ranges]


def _differs(ref, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if getattr(ref, k) != v}


class _Planner:
    """Compares a lab with the database and applies the difference."""

    def __init__(self, context, lab: model.Lab, report: Report) -> None:
        self.context = context
        self.lab = lab
        self.report = report
        self.dbapi = db_api.get_instance()
        self.ops: list[tuple] = []

    # Planning

    def plan(self) -> None:
        errors = model.Errors()
        try:
            self.cluster = self.dbapi.get_cluster_by_name(
                self.context, self.lab.cluster)
        except exception.ClusterNotFound:
            self.cluster = None
        cluster_id = self.cluster.id if self.cluster else None
        self.report.cluster_uuid = self.cluster.uuid if self.cluster \
            else None
        self._plan_cluster()
        everyone = self.dbapi.list_hosts(self.context)
        self.mine = [h for h in everyone
                     if cluster_id is not None and h.cluster_id == cluster_id]
        self._plan_hosts(everyone, cluster_id, errors)
        errors.raise_if_any()
        if self.lab.networks is not None:
            self._plan_networks()
        self._plan_roles()
        self._plan_host_roles()

    def _plan_cluster(self) -> None:
        lab = self.lab
        config = dict(self.cluster.config or {}) if self.cluster else {}
        if lab.format == 'daisy':
            config['lab'] = dict(lab.settings)
            for key, value in (('kolla_internal_vip_address',
                                lab.internal_vip),
                               ('kolla_external_vip_address',
                                lab.public_vip)):
                if value:
                    config[key] = value
                else:
                    config.pop(key, None)
        if self.cluster is None:
            self.ops.append(('create_cluster', {'name': lab.cluster,
                                                'config': config or None}))
            self.report.add('cluster', lab.cluster, 'created')
        elif (config or None) != (self.cluster.config or None):
            self.ops.append(('update_cluster', {'config': config}))
            self.report.add('cluster', lab.cluster, 'updated')
        else:
            self.report.add('cluster', lab.cluster, 'unchanged')

    def _plan_networks(self) -> None:
        existing = {}
        if self.cluster is not None:
            existing = {n.name: n for n in self.dbapi.list_networks(
                self.context, filters={'cluster_id': self.cluster.id})}
        for net in self.lab.networks or []:
            values = {'network_type': net.type, 'cidr': net.cidr,
                      'gateway': net.gateway, 'vlan_id': net.vlan_id,
                      'mtu': net.mtu, 'ip_ranges': _ranges(net)}
            ref = existing.pop(net.name, None)
            if ref is None:
                self.ops.append(('create_network',
                                 dict(values, name=net.name)))
                self.report.add('network', net.name, 'created')
            elif _differs(ref, values):
                self.ops.append(('update_network', ref.id,
                                 _differs(ref, values)))
                self.report.add('network', net.name, 'updated')
            else:
                self.report.add('network', net.name, 'unchanged')
        for name, ref in existing.items():
            self.ops.append(('destroy_network', ref.id))
            self.report.add('network', name, 'deleted')

    def _plan_roles(self) -> None:
        wanted: list[str] = []
        for host in self.lab.hosts:
            wanted.extend(r for r in host.roles if r not in wanted)
        wanted.sort(key=model.ROLES.index)
        self.roles = {}
        if self.cluster is not None:
            self.roles = {r.name: r for r in self.dbapi.list_roles(
                self.context, filters={'cluster_id': self.cluster.id})}
        for name in wanted:
            vip = self.lab.internal_vip \
                if name in CONTROLLER_VIP_ROLES else None
            ref = self.roles.get(name)
            if self.lab.format == 'tripleo' and ref is not None:
                vip = ref.vip  # the nodes file says nothing of VIPs
            if ref is None:
                self.ops.append(('create_role', {'name': name, 'vip': vip}))
                self.report.add('role', name, 'created')
            elif ref.vip != vip:
                self.ops.append(('update_role', ref.id, {'vip': vip}))
                self.report.add('role', name, 'updated')
            else:
                self.report.add('role', name, 'unchanged')
        self.dropped_roles = [r for n, r in self.roles.items()
                              if n not in wanted]
        for ref in self.dropped_roles:
            self.ops.append(('destroy_role', ref.id))
            self.report.add('role', ref.name, 'deleted')

    def _plan_hosts(self, everyone: list, cluster_id: int | None,
                    errors: model.Errors) -> None:
        by_name = {h.name: h for h in everyone if h.name}
        by_mac = {}
        for ref in everyone:
            for iface in ref.interfaces:
                if iface.mac:
                    by_mac[iface.mac] = ref
        by_bmc = {h.bmc_address: h for h in everyone if h.bmc_address}
        clusters: dict[int, str] = {}
        wanted = {h.name for h in self.lab.hosts}
        leaving = {h.id for h in self.mine if h.name not in wanted}
        self.targets: dict[str, Any] = {}
        claimed: set[int] = set()
        for host in self.lab.hosts:
            target = self._match(host, by_name, by_mac, cluster_id,
                                 leaving, claimed, clusters, errors)
            if target is not None:
                claimed.add(target.id)
            self.targets[host.name] = target
        # Hosts of the lab that give up their BMC address for another.
        releasing = {ref.id for host in self.lab.hosts
                     if (ref := self.targets[host.name]) is not None
                     and ref.bmc_address
                     and ref.bmc_address != (host.bmc.address
                                             if host.bmc else None)}
        for host in self.lab.hosts:
            target = self.targets[host.name]
            if host.bmc and host.bmc.address:
                owner = by_bmc.get(host.bmc.address)
                if owner is not None and owner is not target \
                        and owner.id not in leaving | releasing:
                    errors.add(host.bmc_where or host.where, _(
                        'BMC address %(addr)s is already enrolled: host '
                        '%(owner)s%(where)s') % {
                        'addr': host.bmc.address, 'owner': owner.name,
                        'where': self._in_cluster(owner, clusters)})
        if errors:
            return
        for ref in self.mine:
            if ref.id in leaving:
                self.ops.append(('destroy_host', ref.id))
                self.report.add('host', ref.name, 'deleted')
        for host in self.lab.hosts:
            self._plan_host(host, self.targets[host.name])

    def _in_cluster(self, ref, clusters: dict[int, str]) -> str:
        if ref.cluster_id is None:
            return ''
        if ref.cluster_id not in clusters:
            clusters[ref.cluster_id] = self.dbapi.get_cluster_by_id(
                self.context, ref.cluster_id).name
        return _(' in cluster %s') % clusters[ref.cluster_id]

    def _match(self, host: model.Host, by_name, by_mac, cluster_id,
               leaving, claimed, clusters, errors: model.Errors):
        """The enrolled host the lab's ``host`` is, if any."""
        target = None
        ref = by_name.get(host.name)
        if ref is not None:
            if ref.cluster_id not in (None, cluster_id):
                errors.add(host.where, _(
                    'host name %(name)s is already enrolled%(where)s; '
                    'expected a name no other cluster uses') % {
                    'name': host.name,
                    'where': self._in_cluster(ref, clusters)})
                return None
            target = ref
        for value, where in host.mac_wheres.items():
            owner = by_mac.get(value)
            if owner is None or owner is target:
                continue
            if owner.cluster_id == cluster_id and cluster_id is not None \
                    and (owner.id in leaving or owner.name in self._names):
                continue  # moves within this cluster
            if (owner.cluster_id is None and target is None
                    and owner.id not in claimed
                    and (owner.name is None
                         or owner.name not in self._names)):
                target = owner  # a discovered host: adopt it
                continue
            errors.add(where, _(
                'duplicate MAC address %(mac)s: already enrolled on host '
                '%(owner)s%(where)s; expected a MAC no other host has') % {
                'mac': value, 'owner': owner.name or owner.uuid,
                'where': self._in_cluster(owner, clusters)})
        return target

    @functools.cached_property
    def _names(self) -> set[str]:
        return {h.name for h in self.lab.hosts}

    def _host_values(self, host: model.Host, ref) -> dict[str, Any]:
        values: dict[str, Any] = {'name': host.name}
        bmc = host.bmc
        values['bmc_driver'] = bmc.driver if bmc else None
        values['bmc_address'] = bmc.address if bmc else None
        values['bmc_username'] = bmc.username if bmc else None
        values['bmc_port'] = bmc.port if bmc else None
        password = bmc.password if bmc else None
        if password == model.SECRET_PLACEHOLDER:
            if ref is None or not ref.bmc_password:
                self.report.warnings.append(_(
                    'host %s: the BMC password is the export placeholder '
                    'and none is stored; no password set') % host.name)
                password = None
            else:
                password = ref.bmc_password
        values['bmc_password'] = password
        if host.cpus is not None:
            values['cpu'] = dict((ref.cpu if ref is not None else None)
                                 or {}, count=host.cpus)
        if host.memory_mb is not None:
            values['memory'] = dict((ref.memory if ref is not None
                                     else None) or {},
                                    total_mb=host.memory_mb)
        if host.disk_gb is not None:
            values['disks'] = [{'size_gb': host.disk_gb}]
        if host.arch is not None:
            values['arch'] = host.arch
        return values

    def _plan_host(self, host: model.Host, ref) -> None:
        values = self._host_values(host, ref)
        status = 'with-role' if host.roles else 'in-cluster'
        wanted = [{'name': i.name, 'mac': i.mac, 'pxe': i.pxe,
                   'type': 'ether', 'assigned_networks': list(i.networks)}
                  for i in host.interfaces]
        if ref is None:
            self.ops.append(('create_host', dict(values, status=status),
                             wanted))
            self.report.add('host', host.name, 'created')
            for iface in wanted:
                self.report.add('interface',
                                '%s/%s' % (host.name, iface['name']),
                                'created')
            return
        if ref.cluster_id is None:  # adopted
            values['status'] = status
            values['cluster_id'] = None  # set at apply time
        diff = _differs(ref, {k: v for k, v in values.items()
                              if k != 'cluster_id'})
        if ref.cluster_id is None:
            diff['cluster_id'] = None
        if diff:
            self.ops.append(('update_host', ref, diff))
        self.report.add('host', host.name,
                        'updated' if diff else 'unchanged')
        self._plan_interfaces(host, ref, wanted)

    def _plan_interfaces(self, host: model.Host, ref, wanted) -> None:
        existing = {i.name: i for i in ref.interfaces}
        for iface in wanted:
            name = '%s/%s' % (host.name, iface['name'])
            old = existing.pop(iface['name'], None)
            if old is None:
                self.ops.append(('create_interface', ref, iface))
                self.report.add('interface', name, 'created')
                continue
            diff = _differs(old, {k: v for k, v in iface.items()
                                  if k != 'name'})
            if diff:
                self.ops.append(('update_interface', old.id, diff))
                self.report.add('interface', name, 'updated')
            else:
                self.report.add('interface', name, 'unchanged')
        for old in existing.values():
            self.ops.append(('destroy_interface', old.id))
            self.report.add('interface', '%s/%s' % (host.name, old.name),
                            'deleted')

    def _plan_host_roles(self) -> None:
        refs = [r for r in self.targets.values() if r is not None]
        current: dict[int, dict[int, Any]] = collections.defaultdict(dict)
        if refs:
            for hr in self.dbapi.list_host_roles(
                    self.context,
                    filters={'host_id': [r.id for r in refs]}):
                current[hr.host_id][hr.role_id] = hr
        role_names = {r.id: n for n, r in self.roles.items()}
        for host in self.lab.hosts:
            ref = self.targets[host.name]
            have = {role_names.get(rid): hr for rid, hr in
                    current.get(ref.id, {}).items()} if ref else {}
            for role in host.roles:
                label = '%s:%s' % (host.name, role)
                if role in have:
                    self.report.add('host_role', label, 'unchanged')
                else:
                    self.ops.append(('create_host_role', host.name, role))
                    self.report.add('host_role', label, 'created')
            for role, hr in have.items():
                if role not in host.roles:
                    # Assignments to another cluster's roles (an adopted
                    # host) go too.
                    self.ops.append(('destroy_host_role', hr.id))
                    self.report.add('host_role', '%s:%s' % (
                        host.name, role or '?'), 'deleted')

    # Applying

    ORDER = ('create_cluster', 'update_cluster', 'destroy_host_role',
             'destroy_host', 'destroy_interface', 'destroy_role',
             'destroy_network', 'create_network', 'update_network',
             'create_role', 'update_role', 'update_host',
             'update_interface', 'create_interface', 'create_host',
             'create_host_role')

    def apply(self) -> None:
        ctx, db = self.context, self.dbapi
        ops = sorted(self.ops, key=lambda op: self.ORDER.index(op[0]))
        cluster = self.cluster
        roles = dict(self.roles)
        hosts = {name: ref for name, ref in self.targets.items() if ref}
        # New hosts and assignments are written in bulk (one flush each).
        new_hosts: list[dict[str, Any]] = []
        assignments: list[dict[str, Any]] = []
        # MACs and BMC addresses that move: clear them before any is set
        # again (both are unique).
        for op in ops:
            if op[0] == 'update_interface' and 'mac' in op[2]:
                db.update_interface(ctx, op[1], {'mac': None})
            if op[0] == 'update_host' and op[1].bmc_address \
                    and 'bmc_address' in op[2]:
                db.update_host(ctx, op[1].id, {'bmc_address': None})
        for op in ops:
            kind = op[0]
            if kind == 'create_cluster':
                cluster = db.create_cluster(ctx, op[1])
                self.report.cluster_uuid = cluster.uuid
            elif kind == 'update_cluster':
                db.update_cluster(ctx, cluster.id, op[1])
            elif kind in ('destroy_host_role', 'destroy_host',
                          'destroy_interface', 'destroy_role',
                          'destroy_network'):
                getattr(db, kind)(ctx, op[1])
            elif kind == 'create_network':
                db.create_network(ctx, dict(op[1], cluster_id=cluster.id))
            elif kind in ('update_network', 'update_role',
                          'update_interface'):
                getattr(db, kind)(ctx, op[1], op[2])
            elif kind == 'create_role':
                ref = db.create_role(ctx, dict(op[1], cluster_id=cluster.id))
                roles[ref.name] = ref
            elif kind == 'update_host':
                values = dict(op[2])
                if 'cluster_id' in values:
                    values['cluster_id'] = cluster.id
                db.update_host(ctx, op[1].id, values)
            elif kind == 'create_interface':
                db.create_interface(ctx, dict(op[2], host_id=op[1].id))
            elif kind == 'create_host':
                new_hosts.append(dict(op[1], cluster_id=cluster.id,
                                      interfaces=op[2]))
            elif kind == 'create_host_role':
                if new_hosts:
                    for ref in db.create_hosts(ctx, new_hosts):
                        hosts[ref.name] = ref
                    new_hosts = []
                assignments.append({'host_id': hosts[op[1]].id,
                                    'role_id': roles[op[2]].id})
        if new_hosts:
            db.create_hosts(ctx, new_hosts)
        if assignments:
            db.create_host_roles(ctx, assignments)
