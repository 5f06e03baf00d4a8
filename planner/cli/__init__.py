"""The ``planner`` command line (see :mod:`planner.cli.main`)."""

from .main import build_parser, main, run

__all__ = ["build_parser", "main", "run"]
