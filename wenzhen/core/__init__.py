"""The base layer every Wenzhen package builds on; it imports no other Wenzhen package.

- :mod:`wenzhen.core.settings`: typed settings from ``WENZHEN_*`` variables and the config file;
- :mod:`wenzhen.core.errors`: :class:`WenzhenError` and its kinds;
- :mod:`wenzhen.core.files`: decoding input files, strict JSON Lines, JSON values with their lines;
- :mod:`wenzhen.core.issues`: the :class:`Issue` record and the report it is written to;
- :mod:`wenzhen.core.params`: ``KEY=VALUE`` arguments;
- :mod:`wenzhen.core.locks`: one writer at a time (graph loads, index writes), with a clear line for the next;
- :mod:`wenzhen.core.console`: terminal output, and how an error ends a command.
"""
