"""The outside judges the suite runs on what xgapp produces: axe-core (accessibility, in Chromium), the W3C Nu
validator (HTML) and acorn (is every shipped script readable by the oldest tablet we support?).

They come from the npm registry at pinned versions into a cache outside the repository
(`$XGAPP_TEST_CACHE`, default ~/.cache/xgapp-test/npm-<versions>), installed on first use; Node.js and a Java
runtime come from the system (`bash build/dev.sh test` installs them).
"""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

PACKAGES = {"acorn": "8.15.0", "axe-core": "4.11.0", "vnu-jar": "26.9.27"}
OLDEST_SCRIPT = 2019  # ECMAScript edition of the oldest supported tablet: iOS 12.2 / Chrome 73 (README)


class Missing(RuntimeError):
    """A judge cannot run here: the message says what to install."""


def _root():
    key = hashlib.sha256(json.dumps(PACKAGES, sort_keys=True).encode()).hexdigest()[:12]
    base = Path(os.environ.get("XGAPP_TEST_CACHE") or Path.home() / ".cache" / "xgapp-test")
    return base / ("npm-" + key)


def node_modules():
    """The folder holding the pinned judges, installed on first use."""
    root = _root()
    done = root / "installed"
    if not done.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise Missing("npm not found: run the tests through `bash build/dev.sh test` (it installs Node.js)")
        root.mkdir(parents=True, exist_ok=True)
        specs = ["%s@%s" % item for item in PACKAGES.items()]
        # vnu-jar's postinstall fetches a Java runtime when none is found; the system one is used instead
        subprocess.run([npm, "install", "--prefix", str(root), "--no-save", "--no-audit", "--no-fund",
                        "--ignore-scripts", "--silent", *specs], check=True, timeout=600)
        done.write_text(json.dumps(PACKAGES))
    return root / "node_modules"


def node():
    found = shutil.which("node")
    if found is None:
        raise Missing("node not found: run the tests through `bash build/dev.sh test` (it installs Node.js)")
    return found


def java():
    found = shutil.which("java")
    if found is None:
        raise Missing("java not found: run the tests through `bash build/dev.sh test` (it installs a Java runtime)")
    return found


def axe_source():
    """The text of axe.min.js, to inject into a page."""
    return (node_modules() / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def parse_scripts(paths, edition=OLDEST_SCRIPT):
    """{path: error} for every script acorn cannot parse as ECMAScript `edition` (empty when all parse)."""
    program = ("const acorn = require(%s); const fs = require('fs'); const out = {};"
               "for (const f of JSON.parse(process.argv[1])) {"
               "  try { acorn.parse(fs.readFileSync(f, 'utf8'), {ecmaVersion: %d, sourceType: 'script'}); }"
               "  catch (e) { out[f] = e.message; } }"
               "console.log(JSON.stringify(out));") % (json.dumps(str(node_modules() / "acorn")), edition)
    run = subprocess.run([node(), "-e", program, json.dumps([str(p) for p in paths])], check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(run.stdout)


def validate_html(paths):
    """The Nu validator's messages (errors and warnings) for HTML files: [{"url", "type", "message", ...}]."""
    jar = node_modules() / "vnu-jar" / "build" / "dist" / "vnu.jar"
    run = subprocess.run([java(), "-Xss1m", "-jar", str(jar), "--format", "json", "--exit-zero-always",
                          *[str(p) for p in paths]], capture_output=True, text=True, timeout=600)
    return json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
