"""Administrative division codes (GB/T 2260) used in citizen numbers.

Reality rule: a citizen number's region code stays valid for life, whatever the birth date and whether the code
was later abolished; numbers were also assigned with codes created after the holder's birth. So any 6-digit code
whose first two digits are a real province code is accepted; the name is given when known (this table first,
then python-stdnum's historical table, ignoring its year ranges), else None.
"""

from __future__ import annotations

import re

PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾地区",
}  # fmt: skip

#: Prefecture- and county-level names, Hainan complete (current and former codes), plus major cities.
REGIONS: dict[str, str] = {
    # Hainan province (checked against python-stdnum's GB/T 2260 history; former codes keep their latest name)
    "460000": "海南省",
    "460001": "五指山市", "460002": "琼海市", "460003": "儋州市", "460004": "琼山市", "460005": "文昌市",
    "460006": "万宁市", "460007": "东方市", "460021": "琼山县", "460022": "文昌县", "460023": "琼海县",
    "460024": "万宁县", "460025": "定安县", "460026": "屯昌县", "460027": "澄迈县", "460028": "临高县",
    "460029": "儋县", "460030": "白沙黎族自治县", "460031": "昌江黎族自治县", "460032": "东方黎族自治县",
    "460033": "乐东黎族自治县", "460034": "陵水黎族自治县", "460035": "保亭黎族苗族自治县",
    "460036": "琼中黎族苗族自治县", "460037": "西沙群岛", "460038": "南沙群岛", "460039": "中沙群岛的岛礁及其海域",
    "460100": "海口市", "460101": "市辖区", "460102": "振东区", "460103": "新华区", "460104": "秀英区",
    "460105": "秀英区", "460106": "龙华区", "460107": "琼山区", "460108": "美兰区",
    "460200": "三亚市", "460201": "市辖区", "460202": "海棠区", "460203": "吉阳区", "460204": "天涯区",
    "460205": "崖州区",
    "460300": "三沙市", "460301": "市辖区", "460302": "西沙区", "460303": "南沙区",
    "460400": "儋州市",
    "469000": "省直辖县级行政单位",
    "469001": "五指山市", "469002": "琼海市", "469003": "儋州市", "469004": "琼山市", "469005": "文昌市",
    "469006": "万宁市", "469007": "东方市", "469021": "定安县", "469022": "屯昌县", "469023": "澄迈县",
    "469024": "临高县", "469025": "白沙黎族自治县", "469026": "昌江黎族自治县", "469027": "乐东黎族自治县",
    "469028": "陵水黎族自治县", "469029": "保亭黎族苗族自治县", "469030": "琼中黎族苗族自治县",
    "469031": "西沙群岛", "469032": "南沙群岛", "469033": "中沙群岛的岛礁及其海域",
    # Residence permits
    "810000": "香港特别行政区", "820000": "澳门特别行政区", "830000": "台湾地区",
    # Major cities
    "110100": "北京市市辖区", "110101": "东城区", "110102": "西城区", "110105": "朝阳区", "110108": "海淀区",
    "120100": "天津市市辖区", "130100": "石家庄市", "140100": "太原市", "150100": "呼和浩特市",
    "210100": "沈阳市", "210200": "大连市", "220100": "长春市", "230100": "哈尔滨市",
    "310100": "上海市市辖区", "320100": "南京市", "320500": "苏州市", "330100": "杭州市", "330200": "宁波市",
    "340100": "合肥市", "350100": "福州市", "350200": "厦门市", "360100": "南昌市", "370100": "济南市",
    "370200": "青岛市", "410100": "郑州市", "420100": "武汉市", "430100": "长沙市",
    "440100": "广州市", "440300": "深圳市", "440600": "佛山市", "440800": "湛江市", "441900": "东莞市",
    "450100": "南宁市", "500100": "重庆市市辖区", "510100": "成都市", "520100": "贵阳市", "530100": "昆明市",
    "540100": "拉萨市", "610100": "西安市", "620100": "兰州市", "630100": "西宁市", "640100": "银川市",
    "650100": "乌鲁木齐市",
}  # fmt: skip

_CODE = re.compile(r"^[0-9]{6}$")


def plausible_region(code: str) -> bool:
    """True for a 6-digit code whose first two digits are a province code. Raises nothing."""
    return bool(_CODE.match(code)) and code[:2] in PROVINCES


def _stdnum_name(code: str) -> str | None:
    try:
        from stdnum import numdb

        results = numdb.get("cn/loc").info(code)
    except Exception:  # pragma: no cover - the data file ships with stdnum
        return None
    info = {k: v for _part, props in results for k, v in props.items()}
    county = info.get("county")
    if not county:
        return None
    latest = county.split(",")[-1]
    return latest.split("]", 1)[1] if latest.startswith("[") else latest


def region_name(code: str) -> str | None:
    """Full name of a region code (province, then prefecture, then county), or None when unknown.

    ``region_name("469027")`` is "海南省乐东黎族自治县"; ``region_name("460000")`` is "海南省". Raises nothing.
    """
    if not plausible_region(code):
        return None
    province = PROVINCES[code[:2]]
    if code[2:] == "0000":
        return province
    own = REGIONS.get(code) or _stdnum_name(code)
    if own is None:
        return None
    parts = [province]
    prefecture_code = code[:4] + "00"
    if code[4:] != "00" and prefecture_code != code:
        prefecture = REGIONS.get(prefecture_code) or _stdnum_name(prefecture_code)
        if prefecture and "市辖区" not in prefecture and "直辖" not in prefecture and prefecture != province:
            parts.append(prefecture)
    if own not in parts and own != "市辖区":
        parts.append(own)
    return "".join(parts)
