"""Build the `national` instance: every CR Express departure city of 2025 in the CSV format of `landbridge`.

Run from anywhere: ``python instances/national/build.py`` (writes the CSV files and instance.yaml
beside this script; ``--check`` compares instead of writing and exits 1 on a difference). The
script is deterministic (no random numbers, fixed ordering, fixed number formats): the committed
CSV files are its output byte for byte.

Every number below is either a sourced figure (a ``# facts §n`` comment: ../shared/facts/cr-express.md,
whose sections give the URL of each source; the README cites them) or an **estimate** (``# E``).
The derivation rules are the functions further down; README.md explains each table.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------
# Sourced network figures
# ---------------------------------------------------------------------------------------------
TRAINS_2025 = 20_022  # facts §12: CRCT 2025 total trains (both directions)
OUT_TRAINS_2025 = 9_898  # facts §12: outbound trains 2025
OUT_TEU_2025 = 1_027_000  # facts §12: outbound 1.027 M TEU 2025
IN_TEU_2025 = 1_024_000  # facts §12: inbound 1.024 M TEU 2025
OUT_SHARE = OUT_TRAINS_2025 / TRAINS_2025  # 0.494: outbound share of a city's two-way count
XIAN_2025 = 6_037  # facts §12: Xi'an 2025 trains (19.6 % of the total)
TOP5_2025 = 11_800  # facts §12: Xi'an, Zhengzhou, Chengdu, Chongqing, Jinhua–Yiwu = 58.8 %
TIER2_SHARE = 0.227  # facts §12: Jinan, Shijiazhuang, Wuhan, Changsha, Shenyang, Guangzhou
TIER3_SHARE = 0.149  # facts §12: 11 cities with 100–500 trains
CITIES_2025 = 128  # facts §12: departure cities, June 2025
#: facts §3: 2024 CRCT counts, used to split the 2025 tier totals between the cities of a tier
CRCT_2024 = {
    "zhengzhou": 2052, "chengdu": 2285, "chongqing": 2059, "yiwu": 812,
    "jinan": 653, "shijiazhuang": 598, "wuhan": 742, "changsha": 764, "shenyang": 676, "guangzhou": 742,
}
TOP5 = ["xian", "zhengzhou", "chengdu", "chongqing", "yiwu"]
TIER2 = ["jinan", "shijiazhuang", "wuhan", "changsha", "shenyang", "guangzhou"]
#: tier 3 (facts §12 gives the count, 11, not the names): E. Weights (relative 2025 trains) are E,
#: ordered by the facts §3 figures where they exist (Hefei 498 in 2024, Lianyungang >700, Suzhou
#: >500, Xuzhou >400, Nanjing >300 in 2022, Urumqi 1,000 planned in 2019)
TIER3_WEIGHTS = {
    "hefei": 480, "urumqi": 420, "lianyungang": 380, "suzhou": 330, "qingdao": 260, "xuzhou": 230,
    "lanzhou": 200, "nanjing": 190, "tianjin": 170, "xiamen": 160, "harbin": 150,
}
#: the 14 assembly centres (facts §12: 14 centres carry 88 % of trains; the facts do not name
#: them). The 5 NDRC demonstration centres of 2020 (facts §8, §12) + Jinhua–Yiwu (top 5 in 2025)
#: + the six tier-2 platforms + Hefei and Suzhou, the two largest remaining platforms: E.
#: Their 2025 share in this instance is 87.7 %, against 88 % published.
NDRC_CENTRES = ["xian", "zhengzhou", "chengdu", "chongqing", "urumqi"]
ASSEMBLY_CENTRES = NDRC_CENTRES + ["yiwu"] + TIER2 + ["hefei", "suzhou"]
#: regional candidates: the other tier-3 platforms (Lanzhou: Zhao et al. 2019 and Liu & Dong 2023,
#: facts §9; Tianjin: Zhao et al. 2019; Harbin: Wang et al. 2018, facts §9)
REGIONAL = ["lianyungang", "qingdao", "xuzhou", "lanzhou", "nanjing", "tianjin", "xiamen", "harbin"]

TRAIN_TEU = 110  # 55 wagons × 2 TEU (facts §12: 55-wagon formation 2025; realised 1.027 M / 9,898 = 104 TEU)
#: realised westbound TEU per train today by kind of platform: E (mean 104 TEU, facts §12, is matched
#: by scaling these, see westbound_teu)
TEU_PER_TRAIN = {"top": 107.0, "tier2": 103.0, "tier3": 97.0, "tier4": 80.0}

USD = 7.2  # CNY per US$
FEU_RATE_USD = 8_000  # facts §7: unsubsidised US$7–9k per FEU, the middle
TRAIN_FIXED = 400_000  # E: terminals, border handling, gauge changes per train
CHINA_RATE = 55 * 2.754  # CNY per train-km in China: 55 FEU × domestic CR Express FEU tariff (landbridge README)
ROUTE_FACTOR = 1.28  # landbridge: published / waypoint distance (facts §5–6)
KM_PER_DAY = 750  # E (landbridge)

# ---------------------------------------------------------------------------------------------
# Places (city centres, WGS84, 0.01°)
# ---------------------------------------------------------------------------------------------
#: city_id, name, name_zh, province, lon, lat. The 22 tier 1–3 platforms first, then 106 smaller
#: departure cities (tier 4: fewer than 100 trains a year) from every province that runs trains.
CITIES = [
    ("xian", "Xi'an", "西安", "Shaanxi", 108.94, 34.34),
    ("zhengzhou", "Zhengzhou", "郑州", "Henan", 113.63, 34.75),
    ("chengdu", "Chengdu", "成都", "Sichuan", 104.07, 30.57),
    ("chongqing", "Chongqing", "重庆", "Chongqing", 106.55, 29.56),
    ("yiwu", "Jinhua–Yiwu", "金华–义乌", "Zhejiang", 120.08, 29.31),
    ("jinan", "Jinan", "济南", "Shandong", 117.00, 36.65),
    ("shijiazhuang", "Shijiazhuang", "石家庄", "Hebei", 114.51, 38.04),
    ("wuhan", "Wuhan", "武汉", "Hubei", 114.31, 30.59),
    ("changsha", "Changsha", "长沙", "Hunan", 112.94, 28.23),
    ("shenyang", "Shenyang", "沈阳", "Liaoning", 123.43, 41.80),
    ("guangzhou", "Guangzhou", "广州", "Guangdong", 113.26, 23.13),
    ("hefei", "Hefei", "合肥", "Anhui", 117.23, 31.82),
    ("urumqi", "Urumqi", "乌鲁木齐", "Xinjiang", 87.62, 43.83),
    ("lianyungang", "Lianyungang", "连云港", "Jiangsu", 119.22, 34.60),
    ("suzhou", "Suzhou", "苏州", "Jiangsu", 120.58, 31.30),
    ("qingdao", "Qingdao", "青岛", "Shandong", 120.38, 36.07),
    ("xuzhou", "Xuzhou", "徐州", "Jiangsu", 117.28, 34.20),
    ("lanzhou", "Lanzhou", "兰州", "Gansu", 103.83, 36.06),
    ("nanjing", "Nanjing", "南京", "Jiangsu", 118.80, 32.06),
    ("tianjin", "Tianjin", "天津", "Tianjin", 117.20, 39.13),
    ("xiamen", "Xiamen", "厦门", "Fujian", 118.09, 24.48),
    ("harbin", "Harbin", "哈尔滨", "Heilongjiang", 126.53, 45.80),
    # tier 4
    ("beijing", "Beijing", "北京", "Beijing", 116.40, 39.90),
    ("tangshan", "Tangshan", "唐山", "Hebei", 118.18, 39.63),
    ("baoding", "Baoding", "保定", "Hebei", 115.46, 38.87),
    ("handan", "Handan", "邯郸", "Hebei", 114.54, 36.63),
    ("cangzhou", "Cangzhou", "沧州", "Hebei", 116.84, 38.30),
    ("langfang", "Langfang", "廊坊", "Hebei", 116.68, 39.54),
    ("xingtai", "Xingtai", "邢台", "Hebei", 114.50, 37.07),
    ("taiyuan", "Taiyuan", "太原", "Shanxi", 112.55, 37.87),
    ("datong", "Datong", "大同", "Shanxi", 113.30, 40.08),
    ("jinzhong", "Jinzhong", "晋中", "Shanxi", 112.75, 37.69),
    ("lvliang", "Lüliang", "吕梁", "Shanxi", 111.14, 37.52),
    ("yuncheng", "Yuncheng", "运城", "Shanxi", 111.00, 35.03),
    ("hohhot", "Hohhot", "呼和浩特", "Inner Mongolia", 111.75, 40.84),
    ("baotou", "Baotou", "包头", "Inner Mongolia", 109.84, 40.66),
    ("ulanqab", "Ulanqab", "乌兰察布", "Inner Mongolia", 113.13, 41.03),
    ("bayannur", "Bayannur", "巴彦淖尔", "Inner Mongolia", 107.39, 40.74),
    ("ordos", "Ordos", "鄂尔多斯", "Inner Mongolia", 109.78, 39.61),
    ("dalian", "Dalian", "大连", "Liaoning", 121.61, 38.91),
    ("yingkou", "Yingkou", "营口", "Liaoning", 122.24, 40.67),
    ("jinzhou", "Jinzhou", "锦州", "Liaoning", 121.13, 41.10),
    ("anshan", "Anshan", "鞍山", "Liaoning", 122.99, 41.11),
    ("changchun", "Changchun", "长春", "Jilin", 125.32, 43.82),
    ("jilin", "Jilin", "吉林", "Jilin", 126.55, 43.84),
    ("hunchun", "Hunchun", "珲春", "Jilin", 130.37, 42.86),
    ("mudanjiang", "Mudanjiang", "牡丹江", "Heilongjiang", 129.63, 44.55),
    ("jiamusi", "Jiamusi", "佳木斯", "Heilongjiang", 130.32, 46.80),
    ("daqing", "Daqing", "大庆", "Heilongjiang", 125.10, 46.59),
    ("qiqihar", "Qiqihar", "齐齐哈尔", "Heilongjiang", 123.92, 47.35),
    ("shanghai", "Shanghai", "上海", "Shanghai", 121.47, 31.23),
    ("changzhou", "Changzhou", "常州", "Jiangsu", 119.97, 31.81),
    ("wuxi", "Wuxi", "无锡", "Jiangsu", 120.31, 31.49),
    ("nantong", "Nantong", "南通", "Jiangsu", 120.89, 31.98),
    ("yangzhou", "Yangzhou", "扬州", "Jiangsu", 119.41, 32.39),
    ("huaian", "Huai'an", "淮安", "Jiangsu", 119.02, 33.61),
    ("ningbo", "Ningbo", "宁波", "Zhejiang", 121.55, 29.87),
    ("hangzhou", "Hangzhou", "杭州", "Zhejiang", 120.16, 30.27),
    ("huzhou", "Huzhou", "湖州", "Zhejiang", 120.09, 30.89),
    ("shaoxing", "Shaoxing", "绍兴", "Zhejiang", 120.58, 30.00),
    ("wenzhou", "Wenzhou", "温州", "Zhejiang", 120.70, 28.00),
    ("wuhu", "Wuhu", "芜湖", "Anhui", 118.43, 31.35),
    ("bengbu", "Bengbu", "蚌埠", "Anhui", 117.39, 32.92),
    ("maanshan", "Ma'anshan", "马鞍山", "Anhui", 118.51, 31.67),
    ("fuyang", "Fuyang", "阜阳", "Anhui", 115.81, 32.89),
    ("fuzhou", "Fuzhou", "福州", "Fujian", 119.30, 26.08),
    ("quanzhou", "Quanzhou", "泉州", "Fujian", 118.68, 24.87),
    ("nanchang", "Nanchang", "南昌", "Jiangxi", 115.86, 28.68),
    ("ganzhou", "Ganzhou", "赣州", "Jiangxi", 114.93, 25.83),
    ("jiujiang", "Jiujiang", "九江", "Jiangxi", 116.00, 29.71),
    ("shangrao", "Shangrao", "上饶", "Jiangxi", 117.94, 28.45),
    ("linyi", "Linyi", "临沂", "Shandong", 118.36, 35.10),
    ("yantai", "Yantai", "烟台", "Shandong", 121.45, 37.46),
    ("weifang", "Weifang", "潍坊", "Shandong", 119.16, 36.71),
    ("zibo", "Zibo", "淄博", "Shandong", 118.05, 36.81),
    ("weihai", "Weihai", "威海", "Shandong", 122.12, 37.51),
    ("rizhao", "Rizhao", "日照", "Shandong", 119.53, 35.42),
    ("liaocheng", "Liaocheng", "聊城", "Shandong", 115.98, 36.46),
    ("heze", "Heze", "菏泽", "Shandong", 115.48, 35.23),
    ("jining", "Jining", "济宁", "Shandong", 116.59, 35.41),
    ("luoyang", "Luoyang", "洛阳", "Henan", 112.45, 34.62),
    ("xinxiang", "Xinxiang", "新乡", "Henan", 113.93, 35.30),
    ("nanyang", "Nanyang", "南阳", "Henan", 112.53, 33.00),
    ("kaifeng", "Kaifeng", "开封", "Henan", 114.31, 34.80),
    ("xuchang", "Xuchang", "许昌", "Henan", 113.85, 34.04),
    ("anyang", "Anyang", "安阳", "Henan", 114.39, 36.10),
    ("xiangyang", "Xiangyang", "襄阳", "Hubei", 112.14, 32.04),
    ("shiyan", "Shiyan", "十堰", "Hubei", 110.80, 32.63),
    ("yichang", "Yichang", "宜昌", "Hubei", 111.29, 30.69),
    ("jingzhou", "Jingzhou", "荆州", "Hubei", 112.24, 30.33),
    ("huaihua", "Huaihua", "怀化", "Hunan", 110.00, 27.57),
    ("zhuzhou", "Zhuzhou", "株洲", "Hunan", 113.13, 27.83),
    ("yueyang", "Yueyang", "岳阳", "Hunan", 113.13, 29.36),
    ("hengyang", "Hengyang", "衡阳", "Hunan", 112.57, 26.89),
    ("shenzhen", "Shenzhen", "深圳", "Guangdong", 114.06, 22.54),
    ("dongguan", "Dongguan", "东莞", "Guangdong", 113.75, 23.02),
    ("foshan", "Foshan", "佛山", "Guangdong", 113.12, 23.02),
    ("huizhou", "Huizhou", "惠州", "Guangdong", 114.42, 23.11),
    ("nanning", "Nanning", "南宁", "Guangxi", 108.37, 22.82),
    ("liuzhou", "Liuzhou", "柳州", "Guangxi", 109.41, 24.33),
    ("qinzhou", "Qinzhou", "钦州", "Guangxi", 108.65, 21.98),
    ("deyang", "Deyang", "德阳", "Sichuan", 104.40, 31.13),
    ("mianyang", "Mianyang", "绵阳", "Sichuan", 104.74, 31.47),
    ("yibin", "Yibin", "宜宾", "Sichuan", 104.64, 28.75),
    ("luzhou", "Luzhou", "泸州", "Sichuan", 105.44, 28.87),
    ("nanchong", "Nanchong", "南充", "Sichuan", 106.11, 30.84),
    ("guiyang", "Guiyang", "贵阳", "Guizhou", 106.63, 26.65),
    ("zunyi", "Zunyi", "遵义", "Guizhou", 106.93, 27.73),
    ("kunming", "Kunming", "昆明", "Yunnan", 102.83, 24.88),
    ("baoji", "Baoji", "宝鸡", "Shaanxi", 107.24, 34.36),
    ("xianyang", "Xianyang", "咸阳", "Shaanxi", 108.71, 34.33),
    ("yulin", "Yulin", "榆林", "Shaanxi", 109.73, 38.29),
    ("weinan", "Weinan", "渭南", "Shaanxi", 109.51, 34.50),
    ("yanan", "Yan'an", "延安", "Shaanxi", 109.49, 36.59),
    ("wuwei", "Wuwei", "武威", "Gansu", 102.64, 37.93),
    ("tianshui", "Tianshui", "天水", "Gansu", 105.72, 34.58),
    ("zhangye", "Zhangye", "张掖", "Gansu", 100.45, 38.93),
    ("jiuquan", "Jiuquan", "酒泉", "Gansu", 98.49, 39.73),
    ("xining", "Xining", "西宁", "Qinghai", 101.78, 36.62),
    ("golmud", "Golmud", "格尔木", "Qinghai", 94.90, 36.41),
    ("yinchuan", "Yinchuan", "银川", "Ningxia", 106.23, 38.49),
    ("shizuishan", "Shizuishan", "石嘴山", "Ningxia", 106.38, 39.02),
    ("zhongwei", "Zhongwei", "中卫", "Ningxia", 105.19, 37.50),
    ("kashgar", "Kashgar", "喀什", "Xinjiang", 75.99, 39.47),
    ("korla", "Korla", "库尔勒", "Xinjiang", 86.15, 41.76),
    ("yining", "Yining", "伊宁", "Xinjiang", 81.28, 43.91),
    ("shihezi", "Shihezi", "石河子", "Xinjiang", 86.08, 44.31),
    ("hami", "Hami", "哈密", "Xinjiang", 93.51, 42.83),
]

#: gateway_id, name, name_zh, lon, lat, two-way trains a year (sourced or E), source note
GATEWAYS = [
    ("alashankou", "Alashankou", "阿拉山口", 82.57, 45.17, 30 * 365),  # facts §4: peak 30/day (2025) × 365 (E)
    ("khorgos", "Khorgos", "霍尔果斯", 80.42, 44.21, 8_541),  # facts §4: 2024
    ("erenhot", "Erenhot", "二连浩特", 111.98, 43.65, 3_000),  # facts §4: >3,000 (2023)
    ("manzhouli", "Manzhouli", "满洲里", 117.38, 49.60, round(0.30 * TRAINS_2025)),  # facts §12: ≈30 % of port traffic
    ("suifenhe", "Suifenhe", "绥芬河", 131.15, 44.40, 1_000),  # facts §10: ~1k (E)
    ("tongjiang", "Tongjiang North", "同江北", 132.51, 47.65, 800),  # E: no figure in the facts
]

#: destination_id, name, name_zh, country, lon, lat, region. Regions decide the route: "eu" past
#: Brest (gauge change), "broad" in the 1520 mm area (Russia, Belarus, Baltics, Finland), "ca"
#: Central Asia (western ports only), "caspian" across the Caspian Sea (western ports only), "mn" Mongolia
DESTINATIONS = [
    ("duisburg", "Duisburg", "杜伊斯堡", "DE", 6.76, 51.43, "eu"),
    ("hamburg", "Hamburg", "汉堡", "DE", 9.99, 53.55, "eu"),
    ("neuss", "Neuss", "诺伊斯", "DE", 6.69, 51.20, "eu"),
    ("nuremberg", "Nuremberg", "纽伦堡", "DE", 11.08, 49.45, "eu"),
    ("leipzig", "Leipzig", "莱比锡", "DE", 12.37, 51.34, "eu"),
    ("munich", "Munich", "慕尼黑", "DE", 11.58, 48.14, "eu"),
    ("malaszewicze", "Małaszewicze", "马拉舍维奇", "PL", 23.59, 52.03, "eu"),
    ("lodz", "Łódź", "罗兹", "PL", 19.46, 51.76, "eu"),
    ("warsaw", "Warsaw", "华沙", "PL", 21.01, 52.23, "eu"),
    ("slawkow", "Sławków", "斯瓦夫库夫", "PL", 19.39, 50.30, "eu"),
    ("gdansk", "Gdańsk", "格但斯克", "PL", 18.65, 54.35, "eu"),
    ("liege", "Liège", "列日", "BE", 5.57, 50.63, "eu"),
    ("antwerp", "Antwerp", "安特卫普", "BE", 4.40, 51.22, "eu"),
    ("rotterdam", "Rotterdam", "鹿特丹", "NL", 4.48, 51.92, "eu"),
    ("tilburg", "Tilburg", "蒂尔堡", "NL", 5.09, 51.56, "eu"),
    ("venlo", "Venlo", "芬洛", "NL", 6.17, 51.37, "eu"),
    ("paris", "Paris", "巴黎", "FR", 2.35, 48.86, "eu"),
    ("lyon", "Lyon", "里昂", "FR", 4.84, 45.76, "eu"),
    ("milan", "Milan", "米兰", "IT", 9.19, 45.46, "eu"),
    ("verona", "Verona", "维罗纳", "IT", 10.99, 45.44, "eu"),
    ("madrid", "Madrid", "马德里", "ES", -3.70, 40.42, "eu"),
    ("barcelona", "Barcelona", "巴塞罗那", "ES", 2.17, 41.39, "eu"),
    ("budapest", "Budapest", "布达佩斯", "HU", 19.04, 47.50, "eu"),
    ("prague", "Prague", "布拉格", "CZ", 14.42, 50.08, "eu"),
    ("vienna", "Vienna", "维也纳", "AT", 16.37, 48.21, "eu"),
    ("belgrade", "Belgrade", "贝尔格莱德", "RS", 20.46, 44.82, "eu"),
    ("london", "London", "伦敦", "GB", -0.13, 51.51, "eu"),
    ("helsinki", "Helsinki", "赫尔辛基", "FI", 24.94, 60.17, "broad"),
    ("vilnius", "Vilnius", "维尔纽斯", "LT", 25.28, 54.69, "broad"),
    ("riga", "Riga", "里加", "LV", 24.11, 56.95, "broad"),
    ("minsk", "Minsk", "明斯克", "BY", 27.56, 53.90, "broad"),
    ("moscow", "Moscow", "莫斯科", "RU", 37.62, 55.76, "broad"),
    ("st_petersburg", "Saint Petersburg", "圣彼得堡", "RU", 30.32, 59.94, "broad"),
    ("kazan", "Kazan", "喀山", "RU", 49.11, 55.79, "broad"),
    ("yekaterinburg", "Yekaterinburg", "叶卡捷琳堡", "RU", 60.60, 56.84, "broad"),
    ("novosibirsk", "Novosibirsk", "新西伯利亚", "RU", 82.92, 55.03, "broad"),
    ("almaty", "Almaty", "阿拉木图", "KZ", 76.95, 43.24, "ca"),
    ("astana", "Astana", "阿斯塔纳", "KZ", 71.43, 51.13, "ca"),
    ("shymkent", "Shymkent", "奇姆肯特", "KZ", 69.59, 42.34, "ca"),
    ("aktobe", "Aktobe", "阿克托别", "KZ", 57.17, 50.28, "ca"),
    ("tashkent", "Tashkent", "塔什干", "UZ", 69.24, 41.30, "ca"),
    ("samarkand", "Samarkand", "撒马尔罕", "UZ", 66.96, 39.65, "ca"),
    ("bishkek", "Bishkek", "比什凯克", "KG", 74.59, 42.87, "ca"),
    ("dushanbe", "Dushanbe", "杜尚别", "TJ", 68.79, 38.56, "ca"),
    ("ashgabat", "Ashgabat", "阿什哈巴德", "TM", 58.38, 37.96, "ca"),
    ("tehran", "Tehran", "德黑兰", "IR", 51.39, 35.69, "ca"),
    ("baku", "Baku", "巴库", "AZ", 49.87, 40.41, "caspian"),
    ("tbilisi", "Tbilisi", "第比利斯", "GE", 44.79, 41.72, "caspian"),
    ("istanbul", "Istanbul", "伊斯坦布尔", "TR", 28.98, 41.01, "caspian"),
    ("ulaanbaatar", "Ulaanbaatar", "乌兰巴托", "MN", 106.92, 47.92, "mn"),
]

#: waypoints (lon, lat) for route lengths; not tables of the instance
WP = {
    "lanzhou": (103.83, 36.06), "urumqi": (87.62, 43.83), "ulanqab": (113.13, 41.03), "harbin": (126.53, 45.80),
    "astana": (71.43, 51.13), "samara": (50.15, 53.20), "moscow": (37.62, 55.76), "almaty": (76.95, 43.24),
    "kyzylorda": (65.51, 44.85), "aktobe": (57.17, 50.28), "ulaanbaatar": (106.92, 47.92), "irkutsk": (104.28, 52.29),
    "krasnoyarsk": (92.87, 56.01), "novosibirsk": (82.92, 55.03), "omsk": (73.37, 54.99),
    "yekaterinburg": (60.60, 56.84), "chita": (113.50, 52.03), "ussuriysk": (131.95, 43.80),
    "khabarovsk": (135.07, 48.48), "skovorodino": (123.94, 53.99), "birobidzhan": (132.93, 48.79),
    "minsk": (27.56, 53.90), "brest": (23.69, 52.10), "st_petersburg": (30.32, 59.94), "aktau": (51.17, 43.65),
    "baku": (49.87, 40.41), "tbilisi": (44.79, 41.72), "kars": (43.10, 40.60),
}
TRANS_SIB = ["irkutsk", "krasnoyarsk", "novosibirsk", "omsk", "yekaterinburg", "moscow"]
#: the trunk each port's trains follow abroad (a train leaves it where its terminal is nearest)
ABROAD_CHAIN = {
    "alashankou": ["astana", "samara", "moscow"],
    "khorgos": ["almaty", "kyzylorda", "aktobe", "samara", "moscow"],
    "erenhot": ["ulaanbaatar"] + TRANS_SIB,
    "manzhouli": ["chita"] + TRANS_SIB,
    "suifenhe": ["ussuriysk", "khabarovsk", "skovorodino", "chita"] + TRANS_SIB,
    "tongjiang": ["birobidzhan", "skovorodino", "chita"] + TRANS_SIB,
}
WEST_GATES = ("alashankou", "khorgos")
#: waypoints a terminal is reached through after leaving the trunk
TAIL = {"helsinki": ["st_petersburg"], "vilnius": ["minsk"], "baku": ["aktau"], "tbilisi": ["aktau", "baku"],
        "istanbul": ["aktau", "baku", "tbilisi", "kars"]}
EU_TAIL = ["minsk", "brest"]

# ---------------------------------------------------------------------------------------------
# Demand: destinations per platform (relative weights, E), from the lines the facts name where
# they do (facts §5: Xi'an/Zhengzhou→Hamburg, Chengdu→Łódź, Chongqing→Duisburg/Budapest,
# Yiwu→Madrid, Zhengzhou→Liège/Milan/Helsinki/Moscow/Minsk; facts §7: Zhengzhou→Paris, →Milan,
# Tianjin/Qingdao/Shanghai/Shenzhen→Nuremberg/Neuss/Sławków, →Prague, →London)
# ---------------------------------------------------------------------------------------------
DEST_WEIGHTS = {
    "xian": "moscow 10, almaty 9, tashkent 8, duisburg 8, hamburg 6, malaszewicze 6, budapest 4, minsk 4, astana 4, "
            "bishkek 3, st_petersburg 3, lodz 3, milan 3, baku 3, dushanbe 2, ashgabat 2, madrid 2, tbilisi 2, "
            "istanbul 2, tehran 2, samarkand 2, shymkent 2, aktobe 2",
    "zhengzhou": "hamburg 10, moscow 8, liege 5, munich 4, milan 4, minsk 4, almaty 4, helsinki 3, paris 3, warsaw 3, "
                 "tashkent 3, budapest 2, prague 2, antwerp 2",
    "chengdu": "lodz 10, moscow 8, malaszewicze 6, duisburg 6, almaty 5, nuremberg 4, tilburg 4, tashkent 4, minsk 3, "
               "budapest 3, milan 2, istanbul 2, rotterdam 2, st_petersburg 2, venlo 2",
    "chongqing": "duisburg 10, moscow 8, budapest 5, malaszewicze 5, hamburg 4, almaty 4, tashkent 4, warsaw 3, minsk 3, "
                 "vienna 2, belgrade 2, istanbul 2, baku 2, verona 2",
    "yiwu": "moscow 8, madrid 6, duisburg 6, tashkent 6, almaty 5, warsaw 4, minsk 3, bishkek 3, tehran 3, ashgabat 2, "
            "london 2, riga 2, vilnius 2, prague 2, barcelona 2, slawkow 2",
    "jinan": "moscow 8, almaty 5, minsk 4, malaszewicze 4, hamburg 4, duisburg 4, tashkent 4, budapest 2, belgrade 2",
    "shijiazhuang": "moscow 6, almaty 5, minsk 4, hamburg 4, tashkent 4, ulaanbaatar 3, duisburg 3, astana 2",
    "wuhan": "duisburg 6, moscow 6, hamburg 4, almaty 4, lyon 3, minsk 3, tashkent 3, malaszewicze 3, prague 2, budapest 2",
    "changsha": "moscow 8, duisburg 5, hamburg 4, budapest 4, minsk 4, almaty 4, tashkent 4, warsaw 3, st_petersburg 2",
    "shenyang": "moscow 10, st_petersburg 4, minsk 4, duisburg 4, yekaterinburg 3, novosibirsk 3, hamburg 3, "
                "malaszewicze 3, leipzig 3, kazan 2",
    "guangzhou": "moscow 8, duisburg 5, almaty 5, tashkent 5, minsk 3, hamburg 3, malaszewicze 3, bishkek 2, warsaw 2, "
                 "budapest 2, neuss 2",
    "hefei": "moscow 6, hamburg 5, duisburg 4, almaty 4, minsk 3, tashkent 3, malaszewicze 3, budapest 2",
    "urumqi": "almaty 8, tashkent 6, moscow 5, astana 4, bishkek 4, dushanbe 3, shymkent 3, duisburg 3, ashgabat 2, "
              "yekaterinburg 2, novosibirsk 2, malaszewicze 2, baku 2",
    "lianyungang": "almaty 8, tashkent 6, astana 3, shymkent 3, duisburg 3, moscow 3, bishkek 2, samarkand 2, istanbul 2",
    "suzhou": "moscow 6, warsaw 5, duisburg 5, malaszewicze 4, minsk 3, hamburg 3, almaty 2, tashkent 2, milan 2, gdansk 2",
    "qingdao": "moscow 6, almaty 5, tashkent 4, minsk 3, malaszewicze 3, duisburg 3, belgrade 3, budapest 2, slawkow 2",
    "xuzhou": "moscow 5, almaty 4, tashkent 4, duisburg 3, minsk 2, hamburg 2, malaszewicze 2",
    "lanzhou": "almaty 6, tashkent 5, astana 3, bishkek 3, moscow 3, ashgabat 2, tehran 2, duisburg 2, hamburg 2",
    "nanjing": "moscow 5, duisburg 3, hamburg 3, almaty 3, tashkent 3, minsk 2, malaszewicze 2",
    "tianjin": "moscow 6, ulaanbaatar 4, minsk 3, duisburg 3, almaty 3, novosibirsk 2, yekaterinburg 2, hamburg 2, "
               "tashkent 2, neuss 2",
    "xiamen": "budapest 5, moscow 5, duisburg 4, hamburg 3, lodz 3, almaty 3, minsk 2, tashkent 2",
    "harbin": "moscow 6, yekaterinburg 4, novosibirsk 4, st_petersburg 3, minsk 3, hamburg 3, kazan 2, duisburg 2, "
              "malaszewicze 2",
}
#: tier-4 cities: the destinations of their own occasional lines, by province (E). The i-th city
#: of a province takes the province's list from position i (wrapping round), the first two entries
#: (one, if it runs fewer than three trainloads a year).
TIER4_DESTS = {
    "Beijing": ["moscow", "hamburg", "minsk"],
    "Hebei": ["moscow", "ulaanbaatar", "minsk", "almaty", "hamburg"],
    "Shanxi": ["moscow", "almaty", "ulaanbaatar", "minsk", "tashkent"],
    "Inner Mongolia": ["ulaanbaatar", "moscow", "novosibirsk", "yekaterinburg", "minsk"],
    "Liaoning": ["moscow", "st_petersburg", "duisburg", "novosibirsk", "minsk"],
    "Jilin": ["moscow", "yekaterinburg", "st_petersburg", "leipzig"],
    "Heilongjiang": ["moscow", "novosibirsk", "yekaterinburg", "kazan", "st_petersburg"],
    "Shanghai": ["hamburg", "moscow", "nuremberg"],
    "Jiangsu": ["moscow", "warsaw", "duisburg", "almaty", "tashkent", "minsk"],
    "Zhejiang": ["moscow", "duisburg", "madrid", "almaty", "tashkent", "neuss", "slawkow"],
    "Anhui": ["moscow", "hamburg", "almaty", "minsk", "tashkent"],
    "Fujian": ["moscow", "budapest", "almaty", "duisburg"],
    "Jiangxi": ["moscow", "duisburg", "almaty", "tashkent", "minsk"],
    "Shandong": ["moscow", "almaty", "minsk", "tashkent", "belgrade", "duisburg", "hamburg", "malaszewicze", "astana"],
    "Henan": ["hamburg", "moscow", "almaty", "minsk", "tashkent", "liege"],
    "Hubei": ["duisburg", "moscow", "almaty", "tashkent", "minsk"],
    "Hunan": ["moscow", "duisburg", "tashkent", "almaty", "minsk"],
    "Guangdong": ["moscow", "duisburg", "almaty", "tashkent", "minsk", "warsaw"],
    "Guangxi": ["moscow", "almaty", "tashkent", "minsk"],
    "Sichuan": ["lodz", "moscow", "almaty", "tashkent", "minsk", "duisburg"],
    "Guizhou": ["moscow", "almaty", "duisburg"],
    "Yunnan": ["moscow", "tashkent", "almaty"],
    "Shaanxi": ["almaty", "moscow", "tashkent", "bishkek", "hamburg", "minsk"],
    "Gansu": ["almaty", "tashkent", "moscow", "bishkek", "tehran"],
    "Qinghai": ["almaty", "tashkent", "moscow"],
    "Ningxia": ["almaty", "tashkent", "moscow", "tehran"],
    "Xinjiang": ["almaty", "tashkent", "bishkek", "astana", "dushanbe", "moscow"],
}
#: tier-4 weight (E): a provincial capital (or Beijing, Shanghai) runs twice the trains of another city
CAPITALS = {"beijing", "taiyuan", "hohhot", "changchun", "shanghai", "fuzhou", "nanchang", "nanning", "guiyang",
            "kunming", "xining", "yinchuan", "hangzhou"}
#: return ratio (eastbound / westbound TEU) by region before scaling to the 2025 inbound total (E)
RETURN_BASE = {"eu": 0.9, "broad": 1.2, "ca": 0.9, "caspian": 0.6, "mn": 0.8}

# ---------------------------------------------------------------------------------------------
# Today's gateways (E): the corridor each province's lines take, so that the status quo puts about
# half of all trains through the two Xinjiang ports and about 30 % through Manzhouli (facts §4, §12)
# ---------------------------------------------------------------------------------------------
NORTH_ERENHOT = {"Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia"}
NORTHEAST = {"Liaoning", "Jilin", "Heilongjiang"}
#: lines to the 1520 mm area leave through Manzhouli from the east coast, through Erenhot from the centre
EAST_TO_MANZHOULI = {"Shandong", "Jiangsu", "Zhejiang", "Shanghai", "Fujian", "Guangdong", "Anhui", "Jiangxi"}
CENTRE_TO_ERENHOT = {"Henan", "Hubei", "Hunan"}
#: Shandong's European lines also leave through Manzhouli (landbridge README: Jinan, Qingdao via Manzhouli)
EU_VIA_MANZHOULI = {"Shandong"}
#: cities whose lines to the 1520 mm area take the two small north-eastern ports (E)
GATE_OVERRIDE = {"mudanjiang": "suifenhe", "hunchun": "suifenhe", "jilin": "suifenhe", "changchun": "suifenhe",
                 "jiamusi": "tongjiang", "daqing": "tongjiang", "qiqihar": "tongjiang"}
#: Zhengzhou's lines via Erenhot (landbridge README, Zhengzhou → Hamburg/Moscow/Minsk)
LINE_OVERRIDE = {("zhengzhou", "hamburg"): "erenhot", ("zhengzhou", "moscow"): "erenhot", ("zhengzhou", "minsk"): "erenhot",
                 # E: Harbin's and Shenyang's Siberian and Volga lines through Suifenhe and Tongjiang North
                 ("harbin", "novosibirsk"): "suifenhe", ("harbin", "yekaterinburg"): "suifenhe",
                 ("harbin", "kazan"): "tongjiang", ("harbin", "st_petersburg"): "tongjiang",
                 ("shenyang", "novosibirsk"): "suifenhe", ("shenyang", "kazan"): "tongjiang"}

# ---------------------------------------------------------------------------------------------
# Hubs and services (all E, landbridge's values where it has them)
# ---------------------------------------------------------------------------------------------
HUB_KIND = {  # handling CNY/TEU, fixed CNY/yr, capacity = max(floor, factor × today's west+east TEU)
    "centre": (300, 40_000_000, 200_000, 2.0),
    "regional": (400, 30_000_000, 100_000, 2.0),
    "platform": (700, 5_000_000, 0, 1.25),
}
SERVICE_KIND = {  # min_trains, max_trains, fixed CNY/yr for an "eu" line, for other lines
    "centre": (24, 1500, 10_000_000, 5_000_000),
    "regional": (12, 1500, 10_000_000, 5_000_000),
    "platform": (0, 100, 2_000_000, 1_000_000),
}
#: today's load factor by kind (westbound, or eastbound where that is larger): derived from
#: TEU_PER_TRAIN / TRAIN_TEU; see status_quo()

R_EARTH = 6371.0


def gc(a, b) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * R_EARTH * math.asin(math.sqrt(h))


def path_km(points) -> float:
    return sum(gc(points[i], points[i + 1]) for i in range(len(points) - 1))


def china_points(hub, gate_id):
    """Waypoints from a hub to a port inside China."""
    p = [hub]
    if gate_id in WEST_GATES:
        if hub[0] > 104.5 or (hub[1] < 33 and hub[0] > 97):  # east of Lanzhou, or the south-west
            p.append(WP["lanzhou"])
        if hub[0] > 88.5:
            p.append(WP["urumqi"])
    elif gate_id == "erenhot":
        if hub[1] < 40.5:
            p.append(WP["ulanqab"])
    elif gb(hub, WP["harbin"]) > 50:  # north-eastern ports: through Harbin
        p.append(WP["harbin"])
    return p


def gb(a, b):
    return gc(a, b)


def abroad_points(gate, gate_id, dest, dest_id, region):
    """Waypoints from a port to a terminal: the best exit from the port's trunk, then the terminal's tail."""
    tail = [WP[t] for t in TAIL.get(dest_id, EU_TAIL if region == "eu" else [])]
    chain = [WP[c] for c in ABROAD_CHAIN[gate_id]]
    best = None
    for k in range(1, len(chain) + 1):
        pts = [gate] + chain[:k] + tail + [dest]
        km = path_km(pts)
        if best is None or km < best[0] - 1e-9:
            best = (km, pts)
    return best[1]


def route(hub, gate_id, dest_id):
    g = GATE_BY_ID[gate_id]
    d = DEST_BY_ID[dest_id]
    cn = path_km(china_points(hub, gate_id) + [(g[3], g[4])]) * ROUTE_FACTOR
    ab = path_km(abroad_points((g[3], g[4]), gate_id, (d[4], d[5]), dest_id, d[6])) * ROUTE_FACTOR
    return cn, ab


def gate_allowed(gate_id, region) -> bool:
    if region in ("ca", "caspian"):
        return gate_id in WEST_GATES
    if region == "mn":
        return gate_id == "erenhot"
    return True


def days_of(km, gate_id, dest_id, region) -> float:
    borders = 1.0 + (0.5 if gate_id == "erenhot" else 0.0)
    if region == "eu":
        borders += 1.0
    if dest_id in ("madrid", "barcelona"):
        borders += 1.0
    if region == "caspian":
        borders += 3.0  # E: Caspian ferry
    if dest_id == "istanbul":
        borders += 1.0  # E: gauge change in Georgia/Turkey
    return km / KM_PER_DAY + borders


GATE_BY_ID = {g[0]: g for g in GATEWAYS}
DEST_BY_ID = {d[0]: d for d in DESTINATIONS}
CITY_BY_ID = {c[0]: c for c in CITIES}


def abroad_rate() -> float:
    """CNY per train-km abroad, calibrated so that Xi'an–Duisburg (Alashankou) costs 55 FEU × US$8,000."""
    cn, ab = route(CITY_BY_ID["xian"][4:6], "alashankou", "duisburg")
    target = 55 * FEU_RATE_USD * USD
    return (target - TRAIN_FIXED - CHINA_RATE * cn) / ab


ABROAD_RATE = None  # set in main()


def train_cost(cn, ab) -> float:
    return TRAIN_FIXED + CHINA_RATE * cn + ABROAD_RATE * ab


def tier_of(cid) -> str:
    if cid in TOP5:
        return "top"
    if cid in TIER2:
        return "tier2"
    if cid in TIER3_WEIGHTS:
        return "tier3"
    return "tier4"


def kind_of(cid) -> str:
    if cid in ASSEMBLY_CENTRES:
        return "centre"
    if cid in REGIONAL:
        return "regional"
    return "platform"


def trains_2025() -> dict[str, float]:
    """Two-way 2025 trains per city: the tier totals of facts §12 split by 2024 counts or weights."""
    t = {"xian": float(XIAN_2025)}
    rest = TOP5_2025 - XIAN_2025
    w = sum(CRCT_2024[c] for c in TOP5[1:])
    for c in TOP5[1:]:
        t[c] = rest * CRCT_2024[c] / w
    tier2 = TIER2_SHARE * TRAINS_2025
    w = sum(CRCT_2024[c] for c in TIER2)
    for c in TIER2:
        t[c] = tier2 * CRCT_2024[c] / w
    tier3 = TIER3_SHARE * TRAINS_2025
    w = sum(TIER3_WEIGHTS.values())
    for c, x in TIER3_WEIGHTS.items():
        t[c] = tier3 * x / w
    tier4 = TRAINS_2025 - sum(t.values())  # 3.6 %: the other 106 cities
    small = [c[0] for c in CITIES if tier_of(c[0]) == "tier4"]
    w = sum(2 if c in CAPITALS else 1 for c in small)
    for c in small:
        t[c] = tier4 * (2 if c in CAPITALS else 1) / w
    return t


def parse_weights(s: str) -> list[tuple[str, float]]:
    out = []
    for part in s.split(","):
        name, w = part.split()
        out.append((name, float(w)))
    return out


def destinations_of(cid, province_index) -> list[tuple[str, float]]:
    if cid in DEST_WEIGHTS:
        return parse_weights(DEST_WEIGHTS[cid])
    lst = TIER4_DESTS[CITY_BY_ID[cid][3]]
    i = province_index % len(lst)
    return [(lst[i], 2.0), (lst[(i + 1) % len(lst)], 1.0)]


def westbound_teu(trains) -> dict[str, float]:
    """Westbound TEU per city = outbound trains × realised TEU per train (E), scaled to the 2025 total."""
    raw = {c: trains[c] * OUT_SHARE * TEU_PER_TRAIN[tier_of(c)] for c in trains}
    s = OUT_TEU_2025 / sum(raw.values())
    return {c: v * s for c, v in raw.items()}


def loads(n) -> int:
    """Whole trainloads (TEU multiple of TRAIN_TEU)."""
    return int(math.floor(n + 0.5))


def build():
    global ABROAD_RATE
    ABROAD_RATE = abroad_rate()
    assert len(CITIES) == CITIES_2025 == len(CITY_BY_ID), len(CITIES)
    assert len(ASSEMBLY_CENTRES) == 14
    trains = trains_2025()
    west = westbound_teu(trains)

    # demand: per (city, terminal) whole trainloads; a tier-4 city with under three trainloads runs one line
    province_count: dict[str, int] = {}
    pairs = []  # (city, dest, west loads)
    for c in CITIES:
        cid = c[0]
        idx = province_count.get(c[3], 0)
        if tier_of(cid) == "tier4":
            province_count[c[3]] = idx + 1
        dests = destinations_of(cid, idx)
        total_loads = west[cid] / TRAIN_TEU
        if tier_of(cid) == "tier4" and total_loads < 3:
            dests = dests[:1]
        w = sum(x for _, x in dests)
        for d, x in dests:
            pairs.append((cid, d, max(1, loads(total_loads * x / w))))
    # return: region ratio × scale so that the eastbound total meets the 2025 inbound TEU
    west_teu = sum(n for _, _, n in pairs) * TRAIN_TEU
    base = sum(n * RETURN_BASE[DEST_BY_ID[d][6]] for _, d, n in pairs) * TRAIN_TEU
    scale = IN_TEU_2025 / base
    demand = []
    for cid, d, n in pairs:
        r = loads(n * RETURN_BASE[DEST_BY_ID[d][6]] * scale)
        demand.append((cid, d, n * TRAIN_TEU, r * TRAIN_TEU))

    # today's gateway of each (city, terminal) line
    def todays_gate(cid, d) -> list[str]:
        """Gateways in the order a city's line to d tries them today (the first with room is taken)."""
        region = DEST_BY_ID[d][6]
        prov = CITY_BY_ID[cid][3]
        if region in ("ca", "caspian"):
            return ["khorgos", "alashankou"]
        if region == "mn":
            return ["erenhot"]
        first = None
        if (cid, d) in LINE_OVERRIDE:
            first = LINE_OVERRIDE[cid, d]
        elif region == "broad" and cid in GATE_OVERRIDE:
            first = GATE_OVERRIDE[cid]
        elif prov in NORTHEAST:
            first = "manzhouli"
        elif prov in NORTH_ERENHOT:
            first = "erenhot"
        elif region == "broad" and prov in EAST_TO_MANZHOULI:
            first = "manzhouli"
        elif region == "broad" and prov in CENTRE_TO_ERENHOT:
            first = "erenhot"
        elif region == "eu" and prov in EU_VIA_MANZHOULI:
            first = "manzhouli"
        order = ([first] if first else []) + ["alashankou", "khorgos", "manzhouli", "erenhot"]
        seen = []
        for g in order:
            if g not in seen:
                seen.append(g)
        return seen

    cap = {g[0]: int(round(g[5] * OUT_SHARE, -1)) for g in GATEWAYS}
    lf = {k: v / TRAIN_TEU for k, v in TEU_PER_TRAIN.items()}
    lines = []  # (hub, dest, gate, trains)
    used = {g: 0 for g in cap}
    for cid, d, teu, rteu in demand:
        kind = kind_of(cid)
        need = math.ceil(max(teu, rteu) / (TRAIN_TEU * lf[tier_of(cid)]) - 1e-9)
        n = max(SERVICE_KIND[kind][0], need)
        lines.append([cid, d, None, n])
    # biggest lines choose first
    for line in sorted(lines, key=lambda x: (-x[3], x[0], x[1])):
        for g in todays_gate(line[0], line[1]):
            if used[g] + line[3] <= cap[g]:
                line[2] = g
                used[g] += line[3]
                break
        else:
            raise SystemExit(f"no gateway room for today's line {line}")

    # services: centres and regional hubs to every terminal through their cheapest allowed port;
    # every hub also keeps today's lines
    services = {}

    def add_service(h, d, g):
        sid = f"{h}-{d}-{g[:3]}"
        if sid in services:
            return sid
        hub = CITY_BY_ID[h]
        region = DEST_BY_ID[d][6]
        cn, ab = route((hub[4], hub[5]), g, d)
        km = cn + ab
        kind = kind_of(h)
        mn, mx, f_eu, f_other = SERVICE_KIND[kind]
        services[sid] = dict(
            service_id=sid, hub_id=h, destination_id=d, gateway_id=g,
            cost_per_train=round(train_cost(cn, ab), -3), train_capacity_teu="", min_trains=mn, max_trains=mx,
            fixed_cost=f_eu if region == "eu" else f_other, days=round(days_of(km, g, d, region), 1),
            distance_km=round(km, -1),
        )
        return sid

    for c in CITIES:
        h = c[0]
        if kind_of(h) == "platform":
            continue
        for d in DESTINATIONS:
            best = None
            for g in GATEWAYS:
                if not gate_allowed(g[0], d[6]):
                    continue
                cost = train_cost(*route((c[4], c[5]), g[0], d[0]))
                if best is None or cost < best[0] - 1e-6:
                    best = (cost, g[0])
            add_service(h, d[0], best[1])
    sq = {}
    for h, d, g, n in lines:
        sid = add_service(h, d, g)
        sq[sid] = n

    # hubs: throughput today (west + east) per platform
    through = {}
    for cid, d, teu, rteu in demand:
        through[cid] = through.get(cid, 0) + teu + rteu
    hubs = []
    for c in CITIES:
        h = c[0]
        kind = kind_of(h)
        handling, fixed, floor, factor = HUB_KIND[kind]
        capacity = max(floor, factor * through.get(h, 0))
        capacity = int(math.ceil(capacity / 10_000) * 10_000) if kind != "platform" else int(math.ceil(capacity / 1_000) * 1_000)
        label = {"centre": "assembly centre", "regional": "regional hub", "platform": "city platform"}[kind]
        hubs.append((h, f"{c[1]} {label}", c[2] + {"centre": "集结中心", "regional": "枢纽", "platform": "班列平台"}[kind],
                     h, c[4], c[5], handling, capacity, fixed))

    stats = dict(
        trains=trains, west=west, west_teu=west_teu, return_teu=sum(r for *_, r in demand), scale=scale,
        sq_trains=sum(sq.values()), used=used, cap=cap, n_services=len(services), n_sq=len(sq),
        lines=lines, demand=demand,
    )
    return demand, services, sq, lines, hubs, cap, stats


def fmt(x) -> str:
    if isinstance(x, float):
        if x == int(x):
            return str(int(x)) + ".0" if abs(x) < 1e15 else repr(x)
        return repr(round(x, 4))
    return str(x)


def table(header, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([fmt(x) for x in r])
    return buf.getvalue()


def outputs() -> dict[str, str]:
    demand, services, sq, lines, hubs, cap, stats = build()
    files = {}
    files["cities.csv"] = table(["city_id", "name", "name_zh", "province", "lon", "lat"], CITIES)
    files["hubs.csv"] = table(
        ["hub_id", "name", "name_zh", "city_id", "lon", "lat", "handling_cost", "capacity_teu", "fixed_cost"], hubs
    )
    files["gateways.csv"] = table(
        ["gateway_id", "name", "name_zh", "lon", "lat", "capacity_trains"],
        [(g[0], g[1], g[2], g[3], g[4], cap[g[0]]) for g in GATEWAYS],
    )
    files["destinations.csv"] = table(
        ["destination_id", "name", "name_zh", "country", "lon", "lat", "max_hubs"],
        [(d[0], d[1], d[2], d[3], d[4], d[5], "") for d in DESTINATIONS],
    )
    files["demand.csv"] = table(
        ["origin", "destination", "teu", "return_teu", "max_days"], [(c, d, t, r, "") for c, d, t, r in demand]
    )
    cols = ["service_id", "hub_id", "destination_id", "gateway_id", "cost_per_train", "train_capacity_teu",
            "min_trains", "max_trains", "fixed_cost", "days", "distance_km"]
    files["services.csv"] = table(cols, [[s[k] for k in cols] for s in services.values()])
    files["status_quo.csv"] = table(["service_id", "trains"], sorted(sq.items()))
    files["status_quo_assignments.csv"] = table(
        ["city_id", "destination_id", "hub_id"], [(c, d, c) for c, d, _, _ in demand]
    )
    return files, stats


def report(stats) -> str:
    t = stats["trains"]
    centres = sum(t[c] for c in ASSEMBLY_CENTRES) / TRAINS_2025
    lines = [
        f"abroad rate {ABROAD_RATE:.1f} CNY/train-km",
        f"westbound {stats['west_teu']:,} TEU (target {OUT_TEU_2025:,}), return {stats['return_teu']:,} TEU (target {IN_TEU_2025:,})",
        f"status quo {stats['n_sq']} lines, {stats['sq_trains']:,} trains (2025 outbound: {OUT_TRAINS_2025:,})",
        f"assembly centres' share of 2025 trains {100 * centres:.1f} % (facts: 88 %)",
        f"services {stats['n_services']}",
        "gateways today / capacity: " + ", ".join(f"{g} {stats['used'][g]}/{stats['cap'][g]}" for g in stats["cap"]),
    ]
    by_hub: dict[str, int] = {}
    n_lines: dict[str, int] = {}
    for h, _, _, n in stats["lines"]:
        by_hub[h] = by_hub.get(h, 0) + n
        n_lines[h] = n_lines.get(h, 0) + 1
    total = sum(by_hub.values())
    lines.append(f"assembly centres' share of status-quo trains {100 * sum(by_hub[c] for c in ASSEMBLY_CENTRES) / total:.1f} %")
    small = [c[0] for c in CITIES if tier_of(c[0]) == "tier4"]
    lines.append(
        f"tier 4: {len(small)} cities, 2025 trains {sum(t[c] for c in small):.0f} (× {OUT_SHARE:.3f} = "
        f"{sum(t[c] for c in small) * OUT_SHARE:.0f}), status quo {sum(by_hub[c] for c in small)} trains on "
        f"{sum(n_lines[c] for c in small)} lines, {sum(x[2] for x in stats['demand'] if x[0] in small):,} TEU west"
    )
    if "--table" in sys.argv:
        lines.append("| platform | kind | 2025 trains | × 0.494 | status quo trains | lines | TEU west | TEU return |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for c in CITIES:
            cid = c[0]
            if tier_of(cid) == "tier4":
                continue
            west = sum(x[2] for x in stats["demand"] if x[0] == cid)
            east = sum(x[3] for x in stats["demand"] if x[0] == cid)
            lines.append(
                f"| {c[1]} | {kind_of(cid)} ({tier_of(cid)}) | {t[cid]:,.0f} | {t[cid] * OUT_SHARE:,.0f} | "
                f"{by_hub[cid]:,} | {n_lines[cid]} | {west:,} | {east:,} |"
            )
    return "\n".join(lines)


def main(argv) -> int:
    files, stats = outputs()
    check = "--check" in argv
    diff = []
    for name, text in files.items():
        p = HERE / name
        if check:
            if not p.exists() or p.read_bytes() != text.encode("utf-8"):
                diff.append(name)
        else:
            p.write_bytes(text.encode("utf-8"))
    print(report(stats))
    if diff:
        print("differs from the committed files: " + ", ".join(diff))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
