"""A Jupyter kernel for kls: each cell goes to a `kls --serve` process as JSON
lines, and its messages come back as Jupyter outputs (docs/serve.md)."""

__version__ = "0.3.0"
