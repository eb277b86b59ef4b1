"""The framework floor: a Flask hello-world served by waitress exactly like xgapp (same threads).

    .venv/bin/python -m tests.bench.hello PORT THREADS

Run as a module (or `python -P tests/bench/hello.py`): started as a plain script, Python puts tests/bench/ first
on sys.path, where tests/bench/numbers.py shadows the standard library's `numbers` (decimal imports it, Flask
imports decimal). The guard below drops that folder so a plain start works too.
"""

import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]

import logging  # noqa: E402

from flask import Flask  # noqa: E402
from waitress import serve  # noqa: E402

app = Flask(__name__)


@app.route("/hello")
def hello():
    return "hello"


if __name__ == "__main__":
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # as xgapp does
    serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
