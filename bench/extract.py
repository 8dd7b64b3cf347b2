"""Pre-extractor throughput on a large generated corpus, next to a bare ``re.findall`` over it.

    python bench/extract.py              # ~24 MB, well under a minute on one core
    python bench/extract.py --mb 50
    python bench/extract.py --prose 0.3  # 2.4 times denser in figures: the bar holds there too
    python bench/extract.py --numerals 0.2  # a fifth of the sentences in the rarer numeral forms

The corpus is built from invented sentences in the genre (levels, growth, ranks, targets,
Chinese numerals, rhetoric, dates, site chrome), never from the seed documents. The bar from
issue 3: at least 2 MB/s of UTF-8 input per core. Times are CPU times of this process (one core),
so a busy machine slows the figures less than wall-clock times would.
"""

from __future__ import annotations

import argparse
import random
import re
import time

from summarizer.quantities import extract_quantities

ORGS = ("临江高新区", "青川经开区", "东岭县", "南塘示范区", "北湖高新区", "西坪开发区")
LEVELS = ("地区生产总值", "一般公共预算收入", "社会消费品零售总额", "进出口总额", "工业投资", "税收收入")
GROWTHS = ("规上工业增加值", "固定资产投资", "规上服务业营业收入", "高新技术产业增加值", "技改投资")
COUNTS = ("市场主体", "高新技术企业", "科技型中小企业", "签约项目", "新开工项目", "省级研发平台")
FILLER = (
    "会议强调,要坚持稳字当头、稳中求进,抓好一是项目建设、二是招商引资、三是营商环境三个一批工作。",
    "同时也要清醒看到,部分指标增速放缓,项目储备不足、后劲不足的问题依然存在,下行压力较大。",
    "要聚焦三大功能板块和六大主导产业,推动“十四五”规划重大工程落地见效,迎接二十大胜利召开。",
    "要强化“一对一”服务,推动“万人助万企”活动走深走实,千方百计稳定市场主体。",
    "进入老年模式 扫一扫在手机打开当前页 发布时间:2023-07-28 09:15 来源:管委会办公室",
    "全区上下要进一步统一思想、提高站位,把安全生产放在第一位,守牢底线。",
    "会议指出,今年以来,面对复杂严峻的外部环境,全区上下迎难而上,经济运行总体平稳、稳中有进。",
    "要坚持项目为王,强化要素保障,推动签约项目早落地、早开工、早投产、早见效,夯实发展后劲。",
    "要全力以赴抓招商、稳工业、促消费,推动各项指标争先进位,确保完成全年目标任务。",
    "要持续深化放管服改革,优化营商环境,切实解决企业急难愁盼问题,提振市场主体信心。",
    "党工委、管委会领导班子成员出席会议,各部门、各园区主要负责人参加会议。",
)


def _sentence(rng: random.Random, prose: float) -> str:
    org = rng.choice(ORGS)
    if rng.random() < prose:
        return rng.choice(FILLER)
    roll = rng.random()
    if roll < 0.22:
        return (f"上半年,{org}{rng.choice(LEVELS)}完成{rng.uniform(1, 500):.2f}亿元,"
                f"同比增长{rng.uniform(0.1, 20):.1f}%,居全市第{rng.choice('一二三四五')}。")
    if roll < 0.36:
        return (f"其中,{rng.choice(GROWTHS)}同比{rng.choice(('增长', '下降'))}{rng.uniform(0.1, 15):.1f}%,"
                f"高于全省平均{rng.uniform(0.1, 6):.1f}个百分点,排名第{rng.randint(1, 30)}位。")
    if roll < 0.48:
        return (f"1—{rng.randint(2, 9)}月,新增{rng.choice(COUNTS)}{rng.randint(2, 900)}家,"
                f"累计服务企业{rng.randint(10, 90)}多家、{rng.uniform(0.5, 9):.1f}万人次,占比达到{rng.randint(2, 9)}成。")
    if roll < 0.60:
        return (f"下半年,{org}力争全年{rng.choice(GROWTHS)}增长{rng.randint(5, 15)}%左右,"
                f"新签约亿元以上项目{rng.randint(10, 60)}个以上,进入全省前{rng.choice(('二十', '10', '三十'))}名。")
    if roll < 0.70:
        return (f"{rng.randint(2021, 2024)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日,{org}召开经济运行分析会,"
                f"总投资约{rng.choice(('三百', '五十', '一千二百'))}亿元的{rng.randint(3, 40)}个项目集中开工,"
                f"完成年度计划的百分之{rng.choice(('三十', '六十五', '八十'))}。")
    if roll < 0.78:
        return (f"全年新建5G基站{rng.randint(100, 3000)}个,改造老旧小区{rng.uniform(1, 90):.1f}万平方米,"
                f"发放补贴超{rng.randint(100, 9000)}万元,{rng.randint(10, 15)}-{rng.randint(16, 25)}%的企业实现增长。")
    return rng.choice(FILLER)


def _numeral_sentence(rng: random.Random) -> str:
    """A sentence of the forms the one numeral grammar reads (issue 10): levels mixed at any depth,
    零 gaps, floors, estimates, 成, durations, scoped ranks, a unit written once for a list."""
    return (f"{rng.choice(ORGS)}完成投资{rng.randint(1, 9)}亿{rng.randint(1, 9)}千万元，撬动资金{rng.randint(2, 9)}亿零"
            f"{rng.randint(1, 9)}万元，服务群众{rng.randint(1, 9)}万{rng.randint(1, 9)}千{rng.randint(1, 9)}百人次，"
            f"接待游客{rng.choice('二三四五')}十几万人次，带动{rng.choice(('上千', '数十', '三四'))}家企业，"
            f"占全市比重近{rng.randint(2, 8)}成，专项行动持续{rng.randint(2, 11)}个月，增速居全省第{rng.choice('一二三')}，"
            f"两项指标分别提高{rng.uniform(0.1, 3):.1f}、{rng.uniform(0.1, 3):.1f}个百分点。")


def generate_corpus(megabytes: float, prose: float = 0.7, seed: int = 11, numerals: float = 0.0) -> str:
    """Paragraphs of invented genre sentences until the UTF-8 size reaches ``megabytes``;
    ``prose`` is the share of sentences without figures (real reports are mostly prose);
    ``numerals`` the share written in the rarer numeral forms (0 keeps the historical corpus)."""
    rng = random.Random(seed)
    extra = random.Random(seed + 1)  # its own stream: numerals=0 draws nothing from it
    parts: list[str] = []
    size, goal = 0, int(megabytes * 1_000_000)
    while size < goal:
        paragraph = "".join(
            _numeral_sentence(extra) if numerals and extra.random() < numerals else _sentence(rng, prose)
            for _ in range(rng.randint(2, 6))
        ) + "\n\n"
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=24.0, help="corpus size in MB of UTF-8 (default 24)")
    parser.add_argument("--prose", type=float, default=0.7,
                        help="share of sentences without figures (default 0.7: about the seeds' density)")
    parser.add_argument("--doc-kb", type=float, default=8.0,
                        help="split the corpus into documents of this size, as real input comes (default 8)")
    parser.add_argument("--numerals", type=float, default=0.0,
                        help="share of sentences in the rarer numeral forms: 2亿5千万元, 二十几万, 近3成 ... (default 0)")
    args = parser.parse_args()

    corpus = generate_corpus(args.mb, args.prose, numerals=args.numerals)
    size_mb = len(corpus.encode("utf-8")) / 1_000_000
    step = int(args.doc_kb * 1000 / 3)  # characters: CJK is 3 bytes in UTF-8
    documents = [corpus[i:i + step] for i in range(0, len(corpus), step)]

    started = time.process_time()
    bare = sum(len(re.findall(r"\d+(?:\.\d+)?", doc)) for doc in documents)
    bare_seconds = time.process_time() - started

    extract_quantities("新增3家企业。")  # one-time setup (the jieba dictionary) is not throughput
    mentions = numeric = 0
    started = time.process_time()
    for doc in documents:  # results are counted, not kept: a batch holds one document at a time
        found = extract_quantities(doc)
        mentions += len(found)
        numeric += sum(1 for q in found if not q.is_time)
    seconds = time.process_time() - started
    print(f"corpus            {size_mb:8.1f} MB in {len(documents)} documents of ~{args.doc_kb:g} KB")
    print(f"re.findall        {size_mb / bare_seconds:8.1f} MB/s   {bare:>9} digit runs   {bare_seconds:6.2f} s")
    print(f"extract_quantities{size_mb / seconds:8.1f} MB/s   {mentions:>9} mentions ({numeric} quantities)   {seconds:6.2f} s")
    print(f"density           {numeric / (size_mb * 1000):8.1f} quantities per KB (the three seeds: about 4)")
    print(f"ratio             {seconds / bare_seconds:8.1f}x the time of re.findall (one core)")
    print(f"bar               {'PASS' if size_mb / seconds >= 2 else 'FAIL'}  (>= 2 MB/s per core)")


if __name__ == "__main__":
    main()
