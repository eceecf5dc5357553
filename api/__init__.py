"""The outer layer users reach Wenzhen through: the ``wenzhen`` command line (``wenzhen.api.cli``), which
gathers each package's sub-commands, and the HTTP API (``wenzhen.api.app``, served by ``wenzhen serve``).
"""
