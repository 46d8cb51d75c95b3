"""The ``chainrule`` command: a thin layer of argument parsing over the library."""
