"""Reading one roster cell the ways people write it: full-width digits, 2016年5月8日, Excel date serials, 妈妈 for 母亲.

Each reader takes the cell's value (text, number or date) and returns the stored value, or raises ValueError.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta

from xgapp import validation
from xgapp.students import domain

GENDER = {"男": "M", "女": "F", "男生": "M", "女生": "F", "男孩": "M", "女孩": "F", "m": "M", "f": "F", "boy": "M",
          "girl": "F"}
SOURCE = {"热线电话": "hotline", "热线": "hotline", "电话": "hotline", "咨询电话": "hotline", "上门": "walkin",
          "到访": "walkin", "地推": "street", "转介绍": "referral", "介绍": "referral", "老带新": "referral",
          "活动": "event", "网络": "online", "网上": "online", "线上": "online", "其他": "other"}
SOURCE_LABELS = {"hotline": "热线电话", "walkin": "上门", "street": "地推", "referral": "转介绍", "event": "活动",
                 "online": "网络", "other": "其他"}  # as the template and the export write them
RELATION = {"父亲": "父亲", "爸爸": "父亲", "父": "父亲", "爸": "父亲", "母亲": "母亲", "妈妈": "母亲", "母": "母亲",
            "妈": "母亲", "爷爷": "爷爷", "祖父": "爷爷", "奶奶": "奶奶", "祖母": "奶奶", "外公": "外公", "姥爷": "外公",
            "外祖父": "外公", "外婆": "外婆", "姥姥": "外婆", "外祖母": "外婆", "其他": "其他"}
YES = {"是", "y", "yes", "1", "true", "√", "✓", "可", "可以", "能", "有"}
NO = {"否", "n", "no", "0", "false", "×", "✗", "不", "不可", "不可以", "不能", "无"}
NUMERALS = "一二三四五六"
DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 February 1900 that never was)


def text(value):
    """A cell as the text a person sees (dates as 2016-05-08, 13812345678.0 as 13812345678)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def plain(value):
    """The text with full-width letters and digits made ordinary (ＡＢ１２ → AB12) and no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(value)))


def mobile(value):
    """A mainland mobile from 138 1234 5678, 138-1234-5678, +86 13812345678, full-width digits or a number cell."""
    return validation.mobile(text(value))


def birthday(value):
    """A date from a date cell, an Excel date serial, 2016-05-08, 2016/5/8, 2016.5.8, 2016年5月8日 or 20160508."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = unicodedata.normalize("NFKC", text(value))
    if re.match(r"\d{4}-\d{1,2}-\d{1,2}[\sT]", raw):
        raw = re.split(r"[\sT]", raw)[0]  # 2016-05-08 00:00:00 from a text cell
    raw = re.sub(r"\s+", "", raw)
    if isinstance(value, (int, float)) or re.fullmatch(r"\d{1,5}(\.0+)?", raw):
        serial = float(raw)
        if 1 <= serial < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(serial))
        raise ValueError(raw)
    if re.fullmatch(r"\d{8}", raw):
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    match = DATE.match(raw)
    if not match:
        raise ValueError(raw)
    return date(*(int(part) for part in match.groups()))


def gender(value):
    """M, F or '' from 男 / 女 (男生, 女孩, M, F…)."""
    raw = plain(value).lower()
    if not raw:
        return ""
    if raw not in GENDER:
        raise ValueError(raw)
    return GENDER[raw]


def grade(value):
    """A grade of the list from 五年级, 5年级, 小学五年级, 七年级 (初一), 初中一年级, 高中二年级…"""
    raw = plain(value)
    raw = re.sub(r"^小学", "", raw)
    raw = re.sub(r"^([1-6])年级$", lambda m: NUMERALS[int(m.group(1)) - 1] + "年级", raw)
    raw = {"七年级": "初一", "八年级": "初二", "九年级": "初三", "7年级": "初一", "8年级": "初二", "9年级": "初三"}.get(raw, raw)
    raw = re.sub(r"^(初|高)中?([一二三])(年级)?$", r"\1\2", raw)
    if raw and raw not in domain.GRADES:
        raise ValueError(raw)
    return raw


def source(value):
    """A source code from its label (热线电话, 上门, 转介绍…)."""
    raw = plain(value)
    if raw and raw not in SOURCE:
        raise ValueError(raw)
    return SOURCE.get(raw, "")


def relation(value, guardian_name=""):
    """A relation of the list from 母亲 / 妈妈 / 姥姥…; an empty cell is read from a name like 张妈妈 when it can be."""
    raw = plain(value)
    if raw:
        if raw not in RELATION:
            raise ValueError(raw)
        return RELATION[raw]
    name = plain(guardian_name)
    for word in sorted(RELATION, key=len, reverse=True):
        if len(word) > 1 and name.endswith(word):
            return RELATION[word]
    return ""


def attention(value):
    """(special attention?, note) from 是 / 否, or from a note written in the column (对花生过敏 means yes)."""
    raw = plain(value).lower()
    if not raw or raw in NO:
        return False, ""
    return True, "" if raw in YES else text(value)[:200]


def yes_no(value, default):
    """True or False from 是 / 否 (√, ×, Y, N, 可以…); `default` for an empty cell."""
    raw = plain(value).lower()
    if not raw:
        return default
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise ValueError(raw)
