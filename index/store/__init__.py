"""The content store: SQLAlchemy models, Alembic migrations, ingest sources and the
``ContentStore`` that writes them. ``index.service.QAService.open`` is the entry point;
import the submodules directly (this package imports nothing, to keep start-up cheap)."""
