#!/usr/bin/env bash
# Refresh the message catalogues: extract from code and templates, merge into each .po, compile .mo.
# Usage: bash build/i18n.sh   (then translate the new empty msgstr entries and run it again)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
pot=$(mktemp --suffix=.pot)
"$PY" -m babel.messages.frontend extract -F build/babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 \
  --no-location --sort-output --omit-header -o "$pot" xgapp templates
"$PY" -m babel.messages.frontend update -i "$pot" -d xgapp/translations -l zh_Hans_CN --no-fuzzy-matching --ignore-obsolete
"$PY" -m babel.messages.frontend compile -d xgapp/translations --statistics
rm -f "$pot"
