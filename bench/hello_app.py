"""A bare Flask page, the baseline bench_load.py serves beside the portal: `gunicorn hello_app:app`."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"
