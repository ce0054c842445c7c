"""The demo county's organisation: :data:`DEFAULT_DEMO_JURISDICTION`.

示范县 (示范市, 示范省, 行政区划代码 369901) is **fictional**. Its name means "demonstration
county"; no real county, town, village or school is meant, and the code 369901 is not assigned
to any real division (36 is 江西's prefix, 9901 is unused). It has ten towns: two 街道 (the
county seat), six 镇 and two 乡 (one of them a 瑶族 民族乡), with five to twelve villages or
communities each, two 学区 and two 督导责任区. The seat names three county-level schools; the
demo generator adds the rest of the school network around them. Its 镇 and 乡 are 农村
重点地区, the mountain 乡 also 边远 (and 瑶山 民族), 城北街道 城乡结合部.
"""

from __future__ import annotations

from core.jurisdictions.models import KeyAreaKind, SchoolGroupKind, TownKind, VillageKind
from core.jurisdictions.spec import (
    JurisdictionSpec,
    SchoolGroupSpec,
    SchoolSpec,
    TownSpec,
    VillageSpec,
)


def _villages(names: str, communities: str = "") -> tuple[VillageSpec, ...]:
    """Communities first (the town seat), then villages, from space-separated names."""
    result = [VillageSpec(n, VillageKind.COMMUNITY) for n in communities.split()]
    result += [VillageSpec(n, VillageKind.VILLAGE) for n in names.split()]
    return tuple(result)


_TOWNS: tuple[TownSpec, ...] = (
    TownSpec(
        "城关街道",
        TownKind.SUBDISTRICT,
        _villages("", "东门社区 西门社区 南街社区 北街社区 文庙社区 新华社区 人民路社区 解放社区"),
        (
            SchoolSpec("示范县实验小学", "PRIMARY"),
            SchoolSpec("示范县第一中学", "JUNIOR_MIDDLE"),
            SchoolSpec("示范县特殊教育学校", "SPECIAL"),
        ),
    ),
    TownSpec(
        "城北街道",
        TownKind.SUBDISTRICT,
        _villages("桃园村 马家村 柳树湾村", "建设社区 工业园社区 北关社区 火车站社区"),
        key_areas=(KeyAreaKind.URBAN_FRINGE,),
    ),
    TownSpec(
        "青石镇",
        TownKind.TOWN,
        _villages("青石村 上坪村 下坪村 石门村 龙潭村 杨柳村 河口村", "青石社区"),
        key_areas=(KeyAreaKind.RURAL,),
    ),
    TownSpec(
        "白沙镇",
        TownKind.TOWN,
        _villages("沙坝村 大湾村 高桥村 新田村 长岭村 竹林村 水口村 花园村", "白沙社区"),
        key_areas=(KeyAreaKind.RURAL,),
    ),
    TownSpec(
        "柳溪镇",
        TownKind.TOWN,
        _villages("溪口村 黄泥村 团结村 丰收村 双河村 三合村", "柳溪社区"),
        key_areas=(KeyAreaKind.RURAL,),
    ),
    TownSpec(
        "龙泉镇",
        TownKind.TOWN,
        _villages(
            "泉水村 凤凰村 金竹村 茶园村 松林村 响水村 石板村 桂花村 油坊村 白果村 坪山村",
            "龙泉社区",
        ),
        key_areas=(KeyAreaKind.RURAL, KeyAreaKind.POOR),
    ),
    TownSpec(
        "石桥镇",
        TownKind.TOWN,
        _villages("桥头村 太平村 永安村 大田村 枫木村", "石桥社区"),
        key_areas=(KeyAreaKind.RURAL,),
    ),
    TownSpec(
        "马鞍镇",
        TownKind.TOWN,
        _villages("马鞍村 营盘村 新寨村 小河村 鹿鸣村 红岩村 古井村"),
        key_areas=(KeyAreaKind.RURAL, KeyAreaKind.REMOTE),
    ),
    TownSpec(
        "云雾乡",
        TownKind.TOWNSHIP,
        _villages("云雾村 高山村 岩脚村 雾溪村 坪上村 天池村"),
        key_areas=(KeyAreaKind.RURAL, KeyAreaKind.REMOTE, KeyAreaKind.POOR),
    ),
    TownSpec(
        "瑶山民族乡",
        TownKind.TOWNSHIP,
        _villages("瑶山村 盘古村 岭头村 大坪村 黄竹村 冲口村 板瑶村 金坑村 长滩村"),
        key_areas=(KeyAreaKind.RURAL, KeyAreaKind.REMOTE, KeyAreaKind.ETHNIC),
    ),
)

_CITY_DISTRICT = ("城关街道", "城北街道", "青石镇", "白沙镇", "柳溪镇")
_MOUNTAIN_DISTRICT = ("龙泉镇", "石桥镇", "马鞍镇", "云雾乡", "瑶山民族乡")

#: 示范县 (fictional): the county ``baoxue demo`` builds unless a plugin's spec is given.
DEFAULT_DEMO_JURISDICTION = JurisdictionSpec(
    division_code="369901",
    name="示范县",
    city="示范市",
    province="示范省",
    towns=_TOWNS,
    school_groups=(
        SchoolGroupSpec("城区学区", SchoolGroupKind.SCHOOL_DISTRICT, _CITY_DISTRICT),
        SchoolGroupSpec("山区学区", SchoolGroupKind.SCHOOL_DISTRICT, _MOUNTAIN_DISTRICT),
        SchoolGroupSpec(
            "第一督导责任区",
            SchoolGroupKind.SUPERVISION_ZONE,
            ("城关街道", "青石镇", "龙泉镇", "马鞍镇", "云雾乡"),
        ),
        SchoolGroupSpec(
            "第二督导责任区",
            SchoolGroupKind.SUPERVISION_ZONE,
            ("城北街道", "白沙镇", "柳溪镇", "石桥镇", "瑶山民族乡"),
        ),
    ),
    sources=("Baoxue demo data (fictional county)",),
)
