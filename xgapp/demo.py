"""A realistic, deterministic demo campus (seeded), used for trying xgapp out and for benchmarks."""

import random
import secrets

from xgapp import audit, campus
from xgapp.accounts import domain as accounts
from xgapp.db import write

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ("子涵 欣怡 梓萱 浩然 宇轩 一诺 雨桐 俊杰 思远 嘉怡 博文 诗涵 梓轩 佳琪 晨曦 明轩 若曦 天佑 子墨 雅婷 "
         "文博 可馨 皓宇 紫萱 家豪 欣妍 泽宇 雨萱 思彤 俊熙 晓明 丽华 建国 秀英 志强 海燕 国栋 玉兰 建华 春梅").split()

# username, roles, count; display names are generated.
STAFF = [
    ("principal", ["principal"], 1),
    ("supervisor", ["supervisor", "advisor"], 1),
    ("advisor", ["advisor"], 4),
    ("director", ["director"], 1),
    ("teacher", ["teacher"], 6),
    ("frontdesk", ["frontdesk"], 1),
    ("finance", ["finance"], 1),
]


class Names:
    """Deterministic Chinese names from a seed, never the same name twice."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def person(self):
        """A new two- or three-character Chinese name."""
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            if name not in self.used:
                self.used.add(name)
                return name


def build(password=None, years=1, seed=2024, campus_name="阳光教育 海淀校区", campus_code="BJ-HD01"):
    """Create the demo campus in the bound (empty) database; return (accounts, password)."""
    if not campus.needs_setup():
        raise ValueError("this data folder already holds a campus; use an empty folder for the demo")
    password = password or secrets.token_urlsafe(9)
    rng = random.Random(seed)
    names = Names(rng)
    made = []
    with write():
        first = "principal"
        _, principal = campus.setup(campus_name, campus_code, first, names.person(), password)
        made.append((principal, ["principal"], None))
        for prefix, roles, count in STAFF[1:]:
            for n in range(1, count + 1):
                username = prefix if count == 1 else "%s%d" % (prefix, n)
                pin = None
                if "teacher" in roles or "frontdesk" in roles:
                    pin = "%06d" % rng.randrange(100000, 999999)
                    while accounts.pin_problem(pin):
                        pin = "%06d" % rng.randrange(100000, 999999)
                user = accounts.create_user(principal, username, names.person(), password, roles, pin=pin)
                made.append((user, roles, pin))
        audit.record(principal, "create", "campus", None, summary="demo campus, %d year(s), seed %d" % (years, seed))
    return made, password
