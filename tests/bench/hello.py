"""The framework floor: a Flask hello-world served by waitress exactly like xgapp (same threads)."""

import logging
import sys

from flask import Flask
from waitress import serve

app = Flask(__name__)


@app.route("/hello")
def hello():
    return "hello"


if __name__ == "__main__":
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # as xgapp does
    serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
