"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from guidance import create_app

app = create_app()
