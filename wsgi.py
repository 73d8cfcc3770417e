"""WSGI entry point: gunicorn wsgi:app, flask --app wsgi ..."""
from coach import create_app

app = create_app()
