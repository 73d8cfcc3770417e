"""Pure domain logic: standard library only, no Flask, no SQLAlchemy."""
