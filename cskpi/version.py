"""The version of cskpi, in one place (the package, the file outputs and --version read it)."""

__version__ = "0.1.0"
