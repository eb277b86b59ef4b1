"""What the demo's parts share: staff, deterministic Chinese names from a seed, instants on campus days."""




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


GIVEN_CHARS = "子涵欣怡梓萱浩然宇轩一诺雨桐俊杰思远嘉博文诗佳琪晨曦明若天佑墨雅婷可馨皓紫家豪妍泽彤熙晓丽华建国秀英志强海燕栋兰春梅昊阳"


class Names:
    """Deterministic Chinese names from a seed, never the same name twice (~180,000 possible)."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def person(self):
        """A new two- or three-character Chinese name."""
        while True:
            if self.rng.random() < 0.5:
                given = self.rng.choice(GIVEN)
            else:
                given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name

CLASS_WEEKS = 52  # a year of timetable and roll calls

def instant(day, hour=18):
    """An instant on a campus day (demo history is stamped when it happened, not when the demo was built)."""
    from datetime import datetime, time

    from xgapp.clock import zone as campus_zone

    return datetime.combine(day, time(hour), tzinfo=campus_zone())
