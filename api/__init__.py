"""The outer layer users reach Wenzhen through: for now the ``wenzhen`` command line (``api.cli``), which
gathers each package's sub-commands.
"""
