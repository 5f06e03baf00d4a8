import os

from hypothesis import HealthCheck, settings

# CI runs a fixed, modest number of examples per property; locally the default.
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The case-book tests run on SQLite and on a throw-away PostgreSQL server (tests/cases/pg_fixtures.py).
from tests.cases.pg_fixtures import book_location, postgres_url  # noqa: E402,F401
