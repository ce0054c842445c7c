"""Vocabulary the demo generator draws from: Chinese names, phone numbers, places and wording.

Everything here is plain data plus a few small functions that take a ``random.Random`` so the
generator stays deterministic. Surnames follow their rough frequency in China; given names
follow the fashions of each generation (children born 2008–2026, parents and teachers born
1970–2000, grandparents born 1945–1970). Phone numbers are well-formed 11-digit mobile
numbers; none of the data describes a real person.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from core.people.enums import Gender

# --- surnames ------------------------------------------------------------------------------

#: (surname, weight per mille), roughly the national frequency.
_SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 65), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 25),
    ("赵", 23), ("吴", 21), ("周", 20), ("徐", 17), ("孙", 16), ("马", 15), ("朱", 13),
    ("胡", 13), ("郭", 12), ("何", 12), ("高", 11), ("林", 11), ("罗", 11), ("郑", 10),
    ("梁", 10), ("谢", 9), ("宋", 8), ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7),
    ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5),
    ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 5), ("叶", 5), ("程", 5), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 1),
    ("覃", 1), ("武", 1), ("戴", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("欧阳", 0.5),
)  # fmt: skip

SURNAMES: tuple[str, ...] = tuple(s for s, _ in _SURNAME_WEIGHTS)
_SURNAME_CUM: tuple[float, ...] = tuple(itertools.accumulate(w for _, w in _SURNAME_WEIGHTS))

#: Surnames common among the 瑶族 (the twelve 盘瓠 clans) and the 壮族.
YAO_SURNAMES: tuple[str, ...] = (
    "盘",
    "赵",
    "邓",
    "李",
    "黄",
    "冯",
    "沈",
    "蒋",
    "郑",
    "唐",
    "周",
    "胡",
)
ZHUANG_SURNAMES: tuple[str, ...] = ("韦", "覃", "黄", "莫", "蒙", "陆", "农", "梁", "潘", "罗")

# --- given names by generation ---------------------------------------------------------------

_CHILD_MALE = (
    "子轩 浩宇 宇轩 梓豪 浩然 俊杰 子墨 宇航 一鸣 博文 皓轩 睿泽 天佑 嘉豪 铭哲 思远 明轩 俊熙 "
    "宇泽 浩轩 梓睿 雨泽 奕辰 辰逸 文博 晨阳 锦程 沐阳 子豪 家乐 泽宇 一航 子辰 宸睿 承泽 俊宇 "
    "梓杰 浩博 鑫磊 志豪 文轩 子健 宇豪 瑞霖 佳豪 正阳 家豪 思源 星宇 昊天 逸凡 诗杰 晟睿 明哲 "
    "煜祺 智宸 炎彬 鹏涛 烨霖 哲瀚 鑫鹏 致远 俊驰 雨泽 天翊 弘文 子骞 梓轩 伟诚 嘉懿 煜城 懿轩 "
    "睿渊 弘毅 浩楠 瑾瑜 皓宇 宇辰 梓晨 子默 俊豪 思聪 乐天 云帆 一凡 浩铭 雨辰 泽楷 嘉俊"
).split()
_CHILD_FEMALE = (
    "梓涵 欣怡 子涵 一诺 雨桐 梓萱 诗涵 可馨 思涵 欣妍 语桐 若汐 雨涵 佳怡 紫涵 梦瑶 诗琪 芷若 "
    "依依 婉清 心怡 晨曦 雅琪 佳琪 思琪 雨欣 梓琪 静怡 艺涵 梓晴 安琪 悦彤 沐晴 语嫣 梦琪 紫萱 "
    "欣悦 诗雨 奕彤 子玥 若曦 佳欣 雨萱 可欣 梓妍 思彤 馨怡 晓彤 婧琪 雨婷 欣然 嘉怡 梦洁 佳慧 "
    "雅静 梓瑶 欣彤 思雨 雨晴 海琳 舒雅 诗婷 歆瑶 凌薇 美琪 欣瑜 婉婷 雅涵 若萱 一涵 梓欣 紫琪 "
    "昕怡 晨雪 语涵 芊芊 思妤 佳琳 雪晴 丹妮 钰涵 雨菲 清妍 书瑶 怡然 诗然 子萱 紫怡 晓雯"
).split()
_CHILD_MALE_SINGLE = tuple("浩宇杰轩睿阳鑫磊豪博涛鹏凯晨毅")
_CHILD_FEMALE_SINGLE = tuple("琪欣悦涵彤妍婷雪琳萱媛璐瑶颖婧")

_ADULT_MALE = (
    "建华 志强 海涛 国庆 建军 晓东 志刚 海军 建平 文斌 俊峰 小龙 春生 宏伟 德华 卫东 立新 春雷 "
    "学军 云飞 永强 振华 国平 红军 建林 明亮 光辉 小平 新民 金龙 世杰 海波 志勇 洪涛 国栋 东升 "
    "剑 伟 勇 军 涛 斌 磊 鹏 超 明 刚 林 强 平 辉 波 杰 亮 峰 兵 锋 浩 凯 健 俊 飞"
).split()
_ADULT_FEMALE = (
    "丽娟 红梅 美玲 春燕 海燕 小红 晓燕 桂芳 丽华 秀梅 冬梅 丽萍 雪梅 金凤 小芳 玉华 晓梅 艳红 "
    "春梅 彩霞 丽君 淑华 晓丽 美华 月娥 爱华 秋菊 翠萍 小燕 慧敏 丽 娟 敏 静 艳 芳 霞 燕 玲 慧 "
    "萍 琴 英 婷 莉 红 霞 梅 娜 洁 琳 雪 倩 蓉 薇 瑜"
).split()
_ELDER_MALE = (
    "德明 国强 建国 福贵 长生 根生 有才 德胜 永福 国华 志明 金山 树林 桂林 学文 正华 富贵 玉林 "
    "家旺 德才 庆余 春山 广才 茂林 世昌 永康 发财 兴旺 开元 宝山 德富 光明 树生 大山 满仓 忠"
).split()
_ELDER_FEMALE = (
    "秀英 桂兰 玉兰 秀兰 桂英 凤英 玉珍 秀珍 淑珍 桂芳 翠兰 玉梅 金花 素芬 春兰 秀芳 兰英 菊英 "
    "桂香 凤兰 素珍 月英 玉英 桂珍 金兰 秀云 翠花 淑英 玉芬 冬英 招娣 来娣 凤珍 秀华"
).split()


def surname(rng: random.Random, *, ethnicity: str = "汉族") -> str:
    """A surname, by frequency; 瑶族 and 壮族 families draw from their own common surnames."""
    if ethnicity == "瑶族" and rng.random() < 0.85:
        return rng.choice(YAO_SURNAMES)
    if ethnicity == "壮族" and rng.random() < 0.85:
        return rng.choice(ZHUANG_SURNAMES)
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, gender: Gender, generation: str) -> str:
    """A given name for ``generation`` "child", "adult" (born 1970–2000) or "elder"."""
    male = gender is Gender.MALE
    if generation == "child":
        if rng.random() < 0.12:
            return rng.choice(_CHILD_MALE_SINGLE if male else _CHILD_FEMALE_SINGLE)
        if rng.random() < 0.15:  # compose from two popular characters
            pool = _CHILD_MALE if male else _CHILD_FEMALE
            return rng.choice(pool)[0] + rng.choice(pool)[1]
        return rng.choice(_CHILD_MALE if male else _CHILD_FEMALE)
    if generation == "elder":
        return rng.choice(_ELDER_MALE if male else _ELDER_FEMALE)
    return rng.choice(_ADULT_MALE if male else _ADULT_FEMALE)


def full_name(
    rng: random.Random, gender: Gender, generation: str, *, family: str | None = None
) -> str:
    """Surname (``family`` if given) followed by a given name."""
    return (family or surname(rng)) + given_name(rng, gender, generation)


# --- phones --------------------------------------------------------------------------------

_MOBILE_PREFIXES: tuple[str, ...] = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number (well-formed, not a real subscriber's)."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


# --- ethnicity -----------------------------------------------------------------------------

#: Minorities seen across the county outside its 民族乡, with weights.
MINORITIES: tuple[tuple[str, float], ...] = (
    ("壮族", 3), ("苗族", 3), ("土家族", 2), ("侗族", 2), ("瑶族", 2), ("回族", 1.5),
    ("彝族", 1), ("布依族", 1), ("满族", 1), ("蒙古族", 0.5), ("白族", 0.5),
)  # fmt: skip
_MINORITY_NAMES = tuple(n for n, _ in MINORITIES)
_MINORITY_CUM = tuple(itertools.accumulate(w for _, w in MINORITIES))


def ethnicity(rng: random.Random, *, ethnic_township: bool) -> str:
    """汉族 for most families; 瑶族/壮族 for most in a 民族乡; a sprinkle of others elsewhere."""
    r = rng.random()
    if ethnic_township:
        if r < 0.55:
            return "瑶族"
        if r < 0.65:
            return "壮族"
        if r < 0.68:
            return rng.choices(_MINORITY_NAMES, cum_weights=_MINORITY_CUM)[0]
        return "汉族"
    if r < 0.035:
        return rng.choices(_MINORITY_NAMES, cum_weights=_MINORITY_CUM)[0]
    return "汉族"


# --- places and schools outside the county ---------------------------------------------------

#: Where families who left the county work (举家外出 / 外出务工).
WORK_DESTINATIONS: tuple[str, ...] = (
    "广东省东莞市长安镇", "广东省深圳市宝安区", "广东省佛山市南海区", "广东省广州市白云区",
    "浙江省义乌市稠城街道", "浙江省宁波市鄞州区", "福建省晋江市陈埭镇", "江苏省苏州市吴中区",
    "上海市松江区", "江苏省昆山市", "福建省厦门市集美区", "广东省中山市小榄镇",
)  # fmt: skip

#: Fictional home counties of families who moved into the county (进城务工随迁).
MIGRANT_ORIGINS: tuple[tuple[str, str], ...] = (
    ("369902", "示范省示范市远山县"),
    ("369903", "示范省示范市石门县"),
    ("369904", "示范省示范市清河县"),
)

_STREETS: tuple[str, ...] = (
    "人民路", "解放路", "建设路", "文化路", "新华路", "学府路", "滨河路", "中山路", "迎宾大道",
    "朝阳路", "桂花路", "育才路",
)  # fmt: skip
_ESTATES: tuple[str, ...] = ("阳光小区", "锦绣花园", "幸福家园", "滨江苑", "城南新村", "金桂苑")


def street_address(rng: random.Random) -> str:
    """A street, number and flat in a town."""
    return (
        f"{rng.choice(_STREETS)}{rng.randint(1, 399)}号"
        f"{rng.choice(_ESTATES)}{rng.randint(1, 24)}栋{rng.randint(1, 4)}单元"
        f"{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
    )


def rural_address(rng: random.Random) -> str:
    """A 村民小组 and house number."""
    return f"{rng.randint(1, 12)}组{rng.randint(1, 88)}号"


def away_address(rng: random.Random) -> str:
    """Where a family that left the county now lives."""
    return f"{rng.choice(WORK_DESTINATIONS)}{rng.choice(('务工人员公寓', '出租屋', '员工宿舍'))}"


def school_elsewhere(rng: random.Random, primary: bool) -> str:
    """A school outside the county a child moved to or came from."""
    place = rng.choice(WORK_DESTINATIONS)
    if primary:
        return place + rng.choice(("中心小学", "第二小学", "实验小学", "外来务工子弟学校"))
    return place + rng.choice(("中学", "第三中学", "实验学校", "外国语学校初中部"))


def chinese_number(n: int) -> str:
    """1–9999 in Chinese numerals (一, 十二, 二十三, 一百零五, 一千零一十): a county of a
    million pupils numbers more than ninety-nine schools of one kind."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 10000:
        raise ValueError(f"chinese_number takes 1–9999, not {n}")
    if n < 20:
        return ("十" if n >= 10 else "") + (digits[n % 10] if n % 10 or n < 10 else "")
    text, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            text += ("零" if zero else "") + digits[digit] + unit
            zero = False
        elif text:
            zero = True
    return text


def pick(rng: random.Random, items: Sequence[str]) -> str:
    """``rng.choice`` for text, kept here so the wording lists read as data."""
    return rng.choice(items)
