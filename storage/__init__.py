"""Persistence: SQLAlchemy tables, migrations, repositories and the job queue."""
