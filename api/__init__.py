"""The outer layer users reach Wenzhen through: for now the ``wenzhen`` command line (``wenzhen.api.cli``),
which gathers each package's sub-commands.
"""
