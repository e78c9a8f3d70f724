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


"""Lab files loaded with the line of every value.

PyYAML's composer gives every node its position; :func:`load_yaml` turns
the node tree into plain Python values and remembers, for each path
(a tuple of keys and indexes), the 1-based line and the raw scalar text.
The raw text matters: YAML 1.1 reads an unquoted ``52:54:00:12:34:56``
as a base-60 integer and ``0123`` as octal, so MACs and passwords are
taken as written. JSON is checked by the ``json`` module first (its
errors carry a line) and then composed the same way, JSON being YAML.
"""

import json
from typing import Any

import yaml

from trellis.common.i18n import _
from trellis.common.labs import model

Path = tuple[Any, ...]
# libyaml's parser when PyYAML was built with it (about 10 times faster);
# the nodes and their marks are the same.
_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


def render_path(path: Path) -> str:
    """``('hosts', 2, 'name')`` -> ``hosts[2].name``."""
    out = ''
    for part in path:
        if isinstance(part, int):
            out += '[%d]' % part
        else:
            out += ('.' if out else '') + str(part)
    return out


class Document:
    """One parsed lab file: ``data`` plus where each value was written."""

    def __init__(self, name: str, data: Any = None) -> None:
        self.name = name
        self.data = data
        self.lines: dict[Path, int] = {}
        self.raw: dict[Path, str] = {}

    def where(self, *path: Any) -> model.Where:
        """The :class:`~model.Where` of ``path`` (or of its nearest parent
        with a known line)."""
        probe = tuple(path)
        line = None
        while True:
            if probe in self.lines:
                line = self.lines[probe]
                break
            if not probe:
                break
            probe = probe[:-1]
        return model.Where(self.name, line, render_path(tuple(path)))

    def text(self, *path: Any) -> str | None:
        """The scalar at ``path`` as written (no YAML type guessing)."""
        if tuple(path) in self.raw:
            return self.raw[tuple(path)]
        value = self.get(*path)
        return None if value is None else str(value)

    def get(self, *path: Any) -> Any:
        value = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value


class _Builder:
    def __init__(self, doc: Document, errors: model.Errors) -> None:
        self.doc = doc
        self.errors = errors
        self.loader = yaml.SafeLoader('')
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            # An alias (*name) hands back a node already built: refuse
            # it rather than expand it (a "billion laughs" file).
            if id(node) in self.seen:
                self.errors.add(self.doc.where(*path), _(
                    'YAML aliases (*name) of lists or mappings are not '
                    'supported; expected the value written out'))
                return None
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build_key(key_node)
                sub = path + (key,)
                if key in result:
                    self.errors.add(
                        model.Where(self.doc.name,
                                    key_node.start_mark.line + 1,
                                    render_path(sub)),
                        _('duplicate key %(key)r (first on line %(line)s); '
                          'expected each key once')
                        % {'key': key, 'line': self.doc.lines.get(sub)})
                    continue
                self.doc.lines[sub] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, sub)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,))
                    for index, item in enumerate(node.value)]
        self.doc.raw[path] = node.value
        return self.loader.construct_object(node, deep=True)

    def build_key(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = self.loader.construct_object(node)
            return value if isinstance(value, (str, int)) else node.value
        return str(self.loader.construct_object(node, deep=True))


def load_yaml(name: str, content: str, errors: model.Errors) -> Document:
    """Parse a YAML file; syntax errors go to ``errors`` with their line."""
    doc = Document(name)
    try:
        node = yaml.compose(content, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        errors.add(model.Where(name, mark.line + 1 if mark else None, ''),
                   _('not valid YAML: %s') % (exc.problem or exc))
        return doc
    except yaml.YAMLError as exc:
        errors.add(model.Where(name, None, ''), _('not valid YAML: %s') % exc)
        return doc
    if node is None:
        doc.data = None
        return doc
    try:
        doc.data = _Builder(doc, errors).build(node, ())
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        errors.add(model.Where(name, mark.line + 1 if mark else None, ''),
                   _('not valid YAML: %s') % exc)
    return doc


def load_json(name: str, content: str, errors: model.Errors) -> Document:
    """Parse a JSON file; errors go to ``errors`` with their line."""
    try:
        data = json.loads(content)
    except ValueError as exc:
        errors.add(model.Where(name, getattr(exc, 'lineno', None), ''),
                   _('not valid JSON: %s') % getattr(exc, 'msg', exc))
        return Document(name)
    # The values come from json; the lines and raw texts from composing
    # the same text as YAML (best effort: JSON that YAML 1.1 cannot
    # compose keeps its data, without lines).
    scratch = model.Errors()
    doc = load_yaml(name, content, scratch)
    if scratch or doc.data is None:
        doc = Document(name)
    doc.data = data
    doc.raw = {}
    return doc
