"""The bare Flask app bench/load.py measures beside Relief Coach, under the same gunicorn settings: one route."""
from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "Hello, World!"
