"""Generated documents in the genre, for benchmarks and batch tests (invented text, random figures).

Each document is a short meeting report: a lead with a date, a run of indicators (levels,
growth, ranks, percentage points), a problem sentence, tasks and targets.
"""

from __future__ import annotations

import random

ORGS = ("青川经开区", "临江高新区", "东岭县", "南塘高新区", "西坪经开区", "北湖示范区")
INDICATORS_AMOUNT = ("地区生产总值", "一般公共预算收入", "社会消费品零售总额", "进出口总额", "工业投资")
INDICATORS_GROWTH = ("规模以上工业增加值", "固定资产投资", "规上服务业营业收入", "税收收入")
RANKS = ("第一", "第二", "第三", "第五")
TASKS = (
    "要紧盯全年目标任务,加快重点项目建设进度。",
    "要强化招商引资,推动签约项目早开工、早投产。",
    "要持续优化营商环境,切实解决企业急难愁盼问题。",
    "要抓好安全生产和防汛工作,守牢安全底线。",
)
PROBLEMS = (
    "但也要清醒看到,部分指标增速放缓,项目储备不足的问题依然存在。",
    "同时也要看到,工业投资后劲不足,消费恢复压力较大。",
)


def generate_document(rng: random.Random, index: int) -> str:
    """One report; the same ``rng`` state always gives the same text."""
    org = rng.choice(ORGS)
    month, day = rng.randint(7, 8), rng.randint(1, 28)
    lines = [
        f"{org}召开上半年经济运行分析会(第{index}期)",
        "",
        f"{month}月{day}日,{org}召开上半年经济运行分析会,总结上半年工作,部署下半年任务。",
        "",
    ]
    results = []
    for name in rng.sample(INDICATORS_AMOUNT, 3):
        value = round(rng.uniform(5, 400), 2)
        growth = round(rng.uniform(-3, 15), 1)
        verb = "增长" if growth >= 0 else "下降"
        results.append(f"{name}完成{value}亿元,同比{verb}{abs(growth)}%")
    for name in rng.sample(INDICATORS_GROWTH, 2):
        results.append(f"{name}同比增长{round(rng.uniform(0.5, 20), 1)}%,居全市{rng.choice(RANKS)}")
    results.append(f"新增市场主体{rng.randint(100, 3000)}家,高于全市平均{round(rng.uniform(0.1, 5), 1)}个百分点")
    lines += ["会议指出,上半年," + ";".join(results) + "。", ""]
    lines += [rng.choice(PROBLEMS), ""]
    lines += ["会议要求,下半年" + "".join(rng.sample(TASKS, 3)), ""]
    lines += [
        f"力争全年地区生产总值增长{rng.randint(5, 10)}%左右,新签约项目{rng.randint(10, 60)}个以上。",
        "",
    ]
    return "\n".join(lines)


def generate_corpus(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [generate_document(rng, index) for index in range(count)]
