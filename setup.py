# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at http://www.apache.org/licenses/LICENSE-2.0

"""Build script: maps the two source folders into the ``trellis`` package.

Everything static lives in ``setup.cfg``; this file only computes the list
of sub-packages of ``common/`` and ``services/`` so that they install as
``trellis.common.*`` and ``trellis.services.*`` (DESIGN §9) and never as
bare top-level ``common`` or ``services`` packages.
"""

import setuptools

ROOTS = {'common': 'trellis.common', 'services': 'trellis.services'}


def _packages():
    found = []
    for folder, dotted in ROOTS.items():
        found.append(dotted)
        for sub in setuptools.find_packages(where=folder):
            found.append(dotted + '.' + sub)
    return found


setuptools.setup(packages=_packages())
