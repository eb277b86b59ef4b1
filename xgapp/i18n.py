"""Languages, campus-local display of instants, and stored words shown in the reader's language."""

import re
from decimal import Decimal

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_datetime, format_decimal, gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


LANGUAGES = {"zh_CN": "中文", "en": "English"}


def select_locale():
    """The user's choice, then the session's, then the campus default."""
    if has_request_context():
        user = g.get("user")
        if user is not None and user.locale in LANGUAGES:
            return user.locale
        if session.get("lang") in LANGUAGES:
            return session["lang"]
    return current_app.config["XGAPP"]["default_locale"]


def select_timezone():
    """The campus time zone."""
    return current_app.config["XGAPP"]["timezone"]


def datetime_filter(dt, fmt="yyyy-MM-dd HH:mm"):
    """Jinja filter: an instant shown in campus time."""
    if dt is None:
        return ""
    return format_datetime(dt, fmt)


def wants_lang_param():
    """A ?lang= on any page switches the language for this browser."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang


# Values the app's own lists store as Chinese words (grades, relations, the offered subjects): codes that are shown
# in the reader's language. A value not in the list (a subject the campus typed itself) is shown as stored.
WORDS = {
    "一年级": _l("Grade 1"), "二年级": _l("Grade 2"), "三年级": _l("Grade 3"), "四年级": _l("Grade 4"),
    "五年级": _l("Grade 5"), "六年级": _l("Grade 6"), "初一": _l("Grade 7"), "初二": _l("Grade 8"),
    "初三": _l("Grade 9"), "高一": _l("Grade 10"), "高二": _l("Grade 11"), "高三": _l("Grade 12"),
    "父亲": _l("Father"), "母亲": _l("Mother"), "爷爷": _l("Grandfather (father's side)"),
    "奶奶": _l("Grandmother (father's side)"), "外公": _l("Grandfather (mother's side)"),
    "外婆": _l("Grandmother (mother's side)"), "其他": _l("Other"),
    "语文": lazy_pgettext("subject", "Chinese"), "数学": lazy_pgettext("subject", "Maths"),
    "英语": lazy_pgettext("subject", "English"), "物理": lazy_pgettext("subject", "Physics"),
    "化学": lazy_pgettext("subject", "Chemistry"), "生物": lazy_pgettext("subject", "Biology"),
    "历史": lazy_pgettext("subject", "History"), "地理": lazy_pgettext("subject", "Geography"),
    "政治": lazy_pgettext("subject", "Politics"), "科学": lazy_pgettext("subject", "Science"),
    "编程": lazy_pgettext("subject", "Programming"), "美术": lazy_pgettext("subject", "Art"),
    "书法": lazy_pgettext("subject", "Calligraphy"),
}


_SHOWN_IN = {}  # locale -> {a message as the other language shows it: as this one does}


def _other_language_words(locale):
    """{text in the other language: text in `locale`} for every message of the catalogue without placeholders:
    what the app wrote into a record in its writer's language (a status reason such as 新签) read in another."""
    if locale not in _SHOWN_IN:
        from babel.support import Translations

        folder = current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]
        catalogue = Translations.load(folder, ["zh_Hans_CN"])._catalog
        pairs = {(k, v) for k, v in catalogue.items() if isinstance(k, str) and k and v and "%(" not in k}
        _SHOWN_IN[locale] = {zh: en for en, zh in pairs} if locale == "en" else {en: zh for en, zh in pairs}
    return _SHOWN_IN[locale]


def word(value):
    """Jinja filter `word`: a stored grade, relation or subject — or a word the app itself wrote into a record in
    the writer's language — in the reader's language; anything else (a name, what a person typed) as stored."""
    if not isinstance(value, str):
        return "" if value is None else value
    label = WORDS.get(value)
    if label is not None:
        return str(label)
    if not has_request_context():
        return value
    return _other_language_words(select_locale()).get(value, value)


LESSON_LABEL = re.compile(r"(.+) 第(\d+)次课")  # what a roll call writes on its ledger rows and audit lines


def stored_text(value):
    """Jinja filter `stored`: words the app wrote into a record (a ledger reason, an audit summary, a status reason)
    in the reader's language — the roll call's "<class> 第<n>次课" rebuilt from its parts, a catalogue word looked
    up (`word`); what a person typed is shown as typed."""
    found = LESSON_LABEL.fullmatch(value) if isinstance(value, str) else None
    if found:
        return gettext("%(klass)s, lesson %(n)s", klass=found.group(1), n=found.group(2))
    return word(value)


def stored_words(value):
    """Jinja filter `stored_words`: `stored_text`, or else word by word (an audit summary such as
    "consume -2.0 数学": the kind, the hours, the subject)."""
    shown = stored_text(value)
    if shown != value or not isinstance(value, str):
        return shown
    return " ".join(word(part) for part in value.split(" "))


def yuan(value):
    """Jinja filter `yuan`: an amount with the reader's thousands separators and two decimals (6,000.00)."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(value), format="#,##0.00")


def word_choices(values):
    """[(stored value, shown word)] for a select of one of those lists."""
    return [(v, word(v)) for v in values]
