"""The client report of ``crmlab analyze``: a consultant's deliverable, in English or Chinese.

:func:`client_report` turns the per-customer analysis (:func:`crmlab.analyze.model.customer_value`) and the
data-quality account of the cleaning into one standalone HTML page a client reads: no code, no exercises,
no teaching sections, nothing but the findings and the figures that support them. In order:

1. an executive summary: customers, revenue, concentration (the share of revenue from the top 20% of
   customers), the value at risk (revenue of the last twelve months from customers the model thinks have
   probably lapsed, or, without a model, from the RFM segments that have gone quiet), and what to do;
2. data quality: every row of the file accounted for, used or excluded under one reason;
3. the RFM segments, with their sizes and value;
4. the ABC classes and the whale curve of profit;
5. customer lifetime value and the customers most worth keeping, with a plain note on the model's fit
   (tracking on a holdout period when the history is long enough) and on what the model cannot know.

Every number in the text is computed from the data; a statement that depends on the data (a segment being
the largest, the model tracking well) is worded from it. The charts are drawn with matplotlib and embedded,
so the page is one file that can be mailed.

The same analysis with its code and teaching material is the method notebook ``customer_value``.
"""
from __future__ import annotations

import base64
import html
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .logs import date_range, spend_after

__all__ = ["client_report", "Holdout", "holdout_check", "write_csv"]

_SEGMENTS_ZH = {
    "Champions": ("核心客户", "最近买过、买得又勤：给予回馈，请他们推荐"),
    "Loyal": ("忠诚客户", "买得勤：交叉销售、会员计划"),
    "Potential loyalists": ("潜在忠诚客户", "最近买过几次：会员邀请"),
    "New customers": ("新客户", "刚刚第一次购买：做好新客引导"),
    "Promising": ("有潜力客户", "最近买过一次：加深印象"),
    "Need attention": ("需要关注", "最近购买与频率都居中：限时优惠"),
    "About to sleep": ("即将沉睡", "渐渐不来的一次性客户：低成本唤醒"),
    "Cannot lose them": ("不能失去的客户", "曾经最好、近来沉寂：一对一挽回"),
    "At risk": ("有流失风险", "曾经常买、近来沉寂：个别联系、重新激活"),
    "Hibernating": ("沉睡客户", "久未购买、次数少：低成本接触或放手"),
    "Other": ("其他", ""),
}
#: RFM segments that have gone quiet: their revenue is at risk when no model was fitted.
QUIET = ("Cannot lose them", "At risk", "About to sleep", "Hibernating")

_QUALITY_ZH = {
    "rows_read": "从文件读入的行", "rows_used": "用于分析的行", "blank_id": "客户编号为空或为占位符",
    "unparsable_date": "日期无法识别", "unparsable_amount": "金额不是数字", "out_of_period": "日期晚于观察期末",
    "refund": "退款（按所选退款规则）", "refund_days_netted": "当天退款已从当天购买中扣除的客户日（保留）",
    "duplicate": "完全重复的行", "duplicate_row": "完全重复的行", "duplicate_order": "重复的订单号",
    "totals_row": "合计行（不是交易）",
}

_T = {
    "en": {
        "title": "Customer value report", "prepared": "Prepared with crmlab on {today} from {source}.",
        "period": "Transactions from {first} to {end} ({weeks} weeks).",
        "summary": "Summary", "customers": "customers", "revenue": "revenue",
        "per_customer": "revenue per customer", "top20": "of revenue from the top 20% of customers",
        "at_risk": "value at risk", "todo": "What to do",
        "quality": "Data quality", "segments": "Customer segments (RFM)", "abc": "Concentration: ABC classes and the whale curve",
        "clv": "Customer lifetime value", "keep": "The customers most worth keeping",
        "model_note": "About the model", "cannot": "What the model cannot know",
        "th_item": "rows", "th_n": "count", "th_share": "share of rows read", "th_examples": "examples",
        "th_segment": "segment", "th_customers": "customers", "th_cust_share": "share of customers",
        "th_revenue": "revenue", "th_rev_share": "share of revenue", "th_action": "suggested action",
        "th_class": "class", "th_id": "customer", "th_clv": "CLV", "th_alive": "probability active",
        "th_last": "last purchase", "th_purchases": "purchase days", "th_spend": "total spend",
        "footer": "Methods: RFM segmentation (recency, frequency, monetary value); ABC classes by cumulative revenue "
                  "(80% / 95%); BG/NBD and Gamma-Gamma models for the probability of being active, expected "
                  "purchases and lifetime value (Fader, Hardie & Lee 2005). Amounts are in the file's currency.",
    },
    "zh": {
        "title": "客户价值分析报告", "prepared": "由 crmlab 于 {today} 根据 {source} 生成。",
        "period": "交易期间：{first} 至 {end}（共 {weeks} 周）。",
        "summary": "摘要", "customers": "位客户", "revenue": "销售额",
        "per_customer": "客户平均销售额", "top20": "的销售额来自前 20% 的客户",
        "at_risk": "面临流失的价值", "todo": "建议",
        "quality": "数据质量", "segments": "客户分群（RFM）", "abc": "集中度：ABC 分类与鲸鱼曲线",
        "clv": "客户终身价值", "keep": "最值得保留的客户",
        "model_note": "关于模型", "cannot": "模型无法知道的事",
        "th_item": "行", "th_n": "数量", "th_share": "占读入行数", "th_examples": "示例",
        "th_segment": "客户群", "th_customers": "客户数", "th_cust_share": "占客户",
        "th_revenue": "销售额", "th_rev_share": "占销售额", "th_action": "建议做法",
        "th_class": "类别", "th_id": "客户", "th_clv": "客户终身价值", "th_alive": "仍活跃的概率",
        "th_last": "最近一次购买", "th_purchases": "购买天数", "th_spend": "累计消费",
        "footer": "方法：RFM 分群（最近一次消费、消费频率、消费金额）；按累计销售额划分的 ABC 分类（80% / 95%）；"
                  "用 BG/NBD 与 Gamma-Gamma 模型估计客户仍活跃的概率、预期购买次数和终身价值"
                  "（Fader、Hardie 与 Lee，2005）。金额单位与文件相同。",
    },
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
     margin:0;color:#1f2933;background:#f5f7fa}
main{max-width:980px;margin:0 auto;padding:2rem 1.5rem 3rem;background:#fff}
h1{font-size:1.9rem;margin:.2rem 0} h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid #e4e7eb;
padding-bottom:.3rem} p{line-height:1.55} .muted{color:#616e7c;font-size:.9rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:.8rem;margin:1rem 0}
.tile{background:#f0f4f8;border-radius:8px;padding:.9rem 1rem} .tile b{display:block;font-size:1.55rem;color:#102a43}
.tile span{font-size:.9rem;color:#486581} .todo li{margin:.4rem 0;line-height:1.5}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.8rem 0}
th,td{border-bottom:1px solid #e4e7eb;padding:.4rem .55rem;text-align:left;vertical-align:top}
th{background:#f0f4f8;font-weight:600} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto;display:block;margin:.6rem auto}
.note{background:#fffbea;border-left:4px solid #f0b429;padding:.6rem .9rem;margin:1rem 0}
"""


def _fmt_money(x: float) -> str:
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:,.2f} M"
    if a >= 1e4:
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _chart(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


@dataclass(frozen=True)
class Holdout:
    """The model checked on a holdout period: fitted on the history to ``calibration_end``, its predicted
    repeat purchases over the ``weeks`` after it set against what the customers actually bought."""

    calibration_end: pd.Timestamp
    weeks: int
    customers: int
    predicted: float
    actual: float
    by_frequency: pd.DataFrame   # calibration repeat purchases (0..6, 7+) -> mean predicted, mean actual

    @property
    def ratio(self) -> float:
        return self.actual / self.predicted if self.predicted > 0 else float("nan")


def holdout_check(transactions: pd.DataFrame, observation_end, *, min_calibration_weeks: int = 39,
                  min_holdout_weeks: int = 8) -> Holdout | None:
    """Fit BG/NBD on all but the last quarter of the history (at most 26 weeks held out) and compare its
    predicted repeat purchases in the held-out weeks with the actual ones; None when the history is too
    short (less than ``min_calibration_weeks`` + ``min_holdout_weeks``) or the fit does not converge.

    ``transactions``: one row per customer and purchase day (``customer_id``, ``date``, ``amount``).
    """
    import warnings

    from ..clv import BetaGeoModel
    from ..rfm import rfm_summary

    from .logs import purchases_between

    end = pd.Timestamp(observation_end).normalize()
    first = date_range(transactions)[0]
    weeks = int((end - first).days // 7)
    hold = min(26, weeks // 4)
    if hold < min_holdout_weeks or weeks - hold < min_calibration_weeks:
        return None
    cal_end = end - pd.Timedelta(weeks=hold)
    summary = rfm_summary(transactions, customer_col="customer_id", date_col="date", amount_col="amount",
                          observation_end=cal_end, time_unit="W")  # purchases after cal_end are left out
    summary = summary[summary["T"] > 0]
    if (summary["frequency"] > 0).sum() < 50:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bg = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
    if not bg.converged_:
        return None
    actual = purchases_between(transactions, cal_end, end).reindex(summary.index, fill_value=0).to_numpy(float)
    predicted = bg.conditional_expected_purchases(hold, summary["frequency"].to_numpy(), summary["recency"].to_numpy(),
                                                  summary["T"].to_numpy())
    bucket = np.minimum(summary["frequency"].to_numpy(), 7)
    by = (pd.DataFrame({"bucket": bucket, "predicted": predicted, "actual": actual})
          .groupby("bucket").agg(customers=("actual", "size"), predicted=("predicted", "mean"),
                                 actual=("actual", "mean")))
    by.index = [f"{int(b)}" if b < 7 else "7+" for b in by.index]
    return Holdout(cal_end, hold, len(summary), float(predicted.sum()), float(actual.sum()), by)


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write ``frame`` as CSV in UTF-8 with a byte-order mark, so that Excel opens Chinese text right."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    os.replace(tmp, path)
    return path


def _segment_name(name: str, lang: str) -> str:
    return _SEGMENTS_ZH.get(name, (name, ""))[0] if lang == "zh" else name


def _segment_action(name: str, lang: str) -> str:
    """The suggested action of an RFM segment: the library's own (:func:`crmlab.rfm.default_segment_rules`) in
    English, its translation here in Chinese."""
    if lang == "zh":
        return _SEGMENTS_ZH.get(name, ("", ""))[1]
    from ..rfm import default_segment_rules

    rules = default_segment_rules().set_index("segment")["action"]
    return str(rules.get(name, ""))


def _table(header: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    esc = html.escape
    head = "".join(f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td class="num">{esc(str(v))}</td>' if i in numeric else f"<td>{esc(str(v))}</td>"
                                    for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def client_report(cv, quality: pd.DataFrame, transactions: pd.DataFrame, out, *, source: str = "the export",
                  lang: str = "en", gross_margin: float = 1.0, cost_per_purchase: float = 0.0,
                  top_n: int = 20) -> Path:
    """Write ``out/report.html``, the client report (see the module docstring); return its path.

    Parameters
    ----------
    cv : :class:`crmlab.analyze.model.CustomerValue`
        The per-customer analysis.
    quality : DataFrame
        The data-quality account of the cleaning (``CleanResult.quality``).
    transactions : DataFrame or path
        The clean log (``customer_id``, ``date``, ``amount``), for the period and the holdout check; or the
        clean parquet file of the DuckDB engine (:mod:`crmlab.analyze.logs`).
    out : path
        Existing folder.
    source : str
        The file's name as the client knows it.
    lang : "en" or "zh"
    gross_margin, cost_per_purchase : float
        As given to the analysis (they shape profit and the whale curve).
    top_n : int
        Customers listed among those most worth keeping.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._validate import check_lang
    from ..concentration import top_share, whale_curve, whale_summary
    from ..plots import setup

    check_lang(lang)
    drawn = setup(lang=lang)   # chart labels fall back to English without a CJK font
    t, esc = _T[lang], html.escape
    zh = lang == "zh"

    def L(en: str, zh_text: str) -> str:  # chart labels follow the language the charts can draw
        return zh_text if drawn == "zh" else en

    c = cv.customers
    n = len(c)
    revenue = float(c["monetary"].sum())
    end = pd.Timestamp(cv.observation_end)
    first = date_range(transactions)[0]
    weeks = int((end - first).days // 7)
    share20 = top_share(c.set_index("customer_id")["monetary"], 0.2) if revenue > 0 else 0.0
    recent = spend_after(transactions, end - pd.Timedelta(days=365))
    recent = recent.reindex(c["customer_id"]).fillna(0.0).to_numpy()
    modelled = c["p_alive"].notna().any()
    if modelled:
        lapsed = (c["p_alive"] < 0.5).to_numpy()
        risk_text = _fmt_money(float(recent[lapsed].sum()))
        risk_note = (f"revenue of the last 12 months from the {int(lapsed.sum()):,} customers who have probably lapsed "
                     "(probability active below 50%)" if not zh else
                     f"过去 12 个月中来自 {int(lapsed.sum()):,} 位可能已流失客户（仍活跃的概率低于 50%）的销售额")
    else:
        lapsed = c["rfm_segment"].isin(QUIET).to_numpy()
        risk_text = _fmt_money(float(recent[lapsed].sum()))
        risk_note = (f"revenue of the last 12 months from the {int(lapsed.sum()):,} customers in segments that have "
                     "gone quiet (no model could be fitted)" if not zh else
                     f"过去 12 个月中来自已沉寂客户群的 {int(lapsed.sum()):,} 位客户的销售额（未能拟合模型）")
    a_class = c[c["abc_class"] == "A"]
    seg = (c.groupby("rfm_segment", observed=True)
           .agg(customers=("customer_id", "size"), revenue=("monetary", "sum"))
           .sort_values("revenue", ascending=False))
    seg["cust_share"] = seg["customers"] / n
    seg["rev_share"] = seg["revenue"] / revenue if revenue > 0 else 0.0
    quiet_valuable = c[c["rfm_segment"].isin(("Cannot lose them", "At risk"))]

    # --- what to do, worded from the data
    todo = []
    if len(a_class):
        a_share = float(a_class["monetary"].sum()) / revenue if revenue > 0 else 0.0
        todo.append(f"Protect the {len(a_class):,} class A customers ({_pct(len(a_class) / n)} of customers, "
                    f"{_pct(a_share)} of revenue): named contacts, service levels, early warning when they go quiet."
                    if not zh else
                    f"守住 {len(a_class):,} 位 A 类客户（占客户 {_pct(len(a_class) / n)}，占销售额 {_pct(a_share)}）："
                    "专人联系、明确服务水平，在他们开始沉寂时及早发现。")
    if len(quiet_valuable):
        todo.append(f"Win back the {len(quiet_valuable):,} customers who used to buy often and have gone quiet "
                    f"(segments 'Cannot lose them' and 'At risk', {_fmt_money(float(quiet_valuable['monetary'].sum()))} "
                    "of past revenue): personal contact first, discounts only where contact fails."
                    if not zh else
                    f"挽回 {len(quiet_valuable):,} 位曾经常买、近来沉寂的客户（“不能失去的客户”和“有流失风险”两群，"
                    f"过去贡献销售额 {_fmt_money(float(quiet_valuable['monetary'].sum()))}）：先个别联系，联系无效再考虑折扣。")
    newish = c[c["rfm_segment"].isin(("New customers", "Promising", "Potential loyalists"))]
    if len(newish):
        todo.append(f"Turn the {len(newish):,} recent new and occasional buyers into regulars: a second purchase "
                    "within weeks is the cheapest growth there is." if not zh else
                    f"把 {len(newish):,} 位最近的新客户和偶尔购买的客户培养成常客：在几周内促成第二次购买，是成本最低的增长。")
    if not todo:
        todo.append("No segment stands out; collect a longer history before acting on segments." if not zh else
                    "没有特别突出的客户群；请先积累更长的交易历史，再按客户群采取行动。")

    body = [f"<h1>{esc(t['title'])}</h1>",
            f"<p class=\"muted\">{esc(t['prepared'].format(today=pd.Timestamp.today().date(), source=source))} "
            f"{esc(t['period'].format(first=first.date(), end=end.date(), weeks=weeks))}</p>",
            f"<h2>{esc(t['summary'])}</h2><div class=\"tiles\">",
            f"<div class=\"tile\"><b>{n:,}</b><span>{esc(t['customers'])}</span></div>",
            f"<div class=\"tile\"><b>{_fmt_money(revenue)}</b><span>{esc(t['revenue'])}</span></div>",
            f"<div class=\"tile\"><b>{_fmt_money(revenue / n if n else 0.0)}</b><span>{esc(t['per_customer'])}</span></div>",
            f"<div class=\"tile\"><b>{_pct(share20)}</b><span>{esc(t['top20'])}</span></div>",
            f"<div class=\"tile\"><b>{risk_text}</b><span>{esc(t['at_risk'])}{'：' if zh else ': '}{esc(risk_note)}</span></div></div>",
            f"<h3>{esc(t['todo'])}</h3><ol class=\"todo\">" + "".join(f"<li>{esc(x)}</li>" for x in todo) + "</ol>"]

    # --- data quality
    q = quality.set_index("item")
    read = int(q.loc["rows_read", "rows"]) if "rows_read" in q.index else 0
    used = int(q.loc["rows_used", "rows"]) if "rows_used" in q.index else 0
    rows = []
    for _, r in quality.iterrows():
        if r["kind"] in ("excluded", "info") and r["rows"] == 0:
            continue
        label = _QUALITY_ZH.get(r["item"], r["description"]) if zh else r["description"]
        rows.append([label, f"{int(r['rows']):,}", _pct(float(r["rows"]) / read) if read else "",
                     str(r.get("examples", "") or "")[:120]])
    if read == used:
        account = (f"All {read:,} rows of the file were used." if not zh else f"文件中的 {read:,} 行全部用于分析。")
    else:
        account = (f"All {read:,} rows of the file are accounted for: {used:,} were used and "
                   f"{read - used:,} excluded, each under the reason below." if not zh else
                   f"文件中的 {read:,} 行全部有交代：{used:,} 行用于分析，{read - used:,} 行被排除，原因见下表。")
    body += [f"<h2>{esc(t['quality'])}</h2><p>{esc(account)}</p>",
             _table([t["th_item"], t["th_n"], t["th_share"], t["th_examples"]], rows, {1, 2})]

    # --- segments
    rows = [[_segment_name(s, lang), f"{int(r.customers):,}", _pct(r.cust_share), _fmt_money(r.revenue),
             _pct(r.rev_share), _segment_action(s, lang)] for s, r in seg.iterrows()]
    biggest, richest = seg["customers"].idxmax(), seg["revenue"].idxmax()
    seg_text = (f"The largest segment is {_segment_name(biggest, lang)} ({_pct(seg.loc[biggest, 'cust_share'])} of "
                f"customers); the most valuable is {_segment_name(richest, lang)} ({_pct(seg.loc[richest, 'rev_share'])} "
                "of revenue)." if not zh else
                f"人数最多的客户群是“{_segment_name(biggest, lang)}”（占客户 {_pct(seg.loc[biggest, 'cust_share'])}）；"
                f"贡献最多的是“{_segment_name(richest, lang)}”（占销售额 {_pct(seg.loc[richest, 'rev_share'])}）。")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(seg) + 1))
    y = np.arange(len(seg))
    ax.barh(y - 0.2, seg["cust_share"] * 100, 0.4, label=L("share of customers", "占客户"), color="#9fb3c8")
    ax.barh(y + 0.2, seg["rev_share"] * 100, 0.4, label=L("share of revenue", "占销售额"), color="#2f6fae")
    ax.set_yticks(y, [_segment_name(s, drawn) for s in seg.index])
    ax.invert_yaxis()
    ax.set_xlabel("%")
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    body += [f"<h2>{esc(t['segments'])}</h2><p>{esc(seg_text)}</p>", _chart(fig),
             _table([t["th_segment"], t["th_customers"], t["th_cust_share"], t["th_revenue"], t["th_rev_share"],
                     t["th_action"]], rows, {1, 2, 3, 4})]

    # --- ABC and whale curve
    abc = (c.groupby("abc_class").agg(customers=("customer_id", "size"), revenue=("monetary", "sum"))
           .reindex(["A", "B", "C"]).fillna(0))
    rows = [[k, f"{int(r.customers):,}", _pct(r.customers / n), _fmt_money(r.revenue),
             _pct(r.revenue / revenue if revenue else 0)] for k, r in abc.iterrows()]
    profit = c.set_index("customer_id")["profit"]
    charts = []
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    ranked = np.sort(c["monetary"].to_numpy())[::-1]
    cum = np.r_[0, np.cumsum(ranked)] / (revenue if revenue else 1)
    axes[0].plot(np.arange(n + 1) / n * 100, cum * 100, color="#2f6fae")
    axes[0].axhline(80, color="#bcccdc", lw=1, ls="--")
    axes[0].set_xlabel(L("customers, ranked by revenue (%)", "按销售额排序的客户（%）"))
    axes[0].set_ylabel(L("cumulative revenue (%)", "累计销售额（%）"))
    axes[0].set_title(L("Pareto curve", "帕累托曲线"))
    whale_text = ""
    if float(profit.sum()) > 0:
        w = whale_curve(profit)
        ws = whale_summary(profit)
        axes[1].plot(w["customer_share"] * 100, w["profit_share"] * 100, color="#c65d21")
        axes[1].axhline(100, color="#bcccdc", lw=1, ls="--")
        axes[1].set_xlabel(L("customers, ranked by profit (%)", "按利润排序的客户（%）"))
        axes[1].set_ylabel(L("cumulative profit (%)", "累计利润（%）"))
        axes[1].set_title(L("whale curve", "鲸鱼曲线"))
        losers = int((profit < 0).sum())
        if losers:
            whale_text = (f"With a cost to serve of {cost_per_purchase:g} per purchase and a gross margin of "
                          f"{_pct(gross_margin)}, {losers:,} customers cost more than they bring; the profitable ones "
                          f"earn {_pct(float(ws['peak_share']))} of the total profit, and the loss-makers give "
                          "back the difference." if not zh else
                          f"按每次购买的服务成本 {cost_per_purchase:g}、毛利率 {_pct(gross_margin)} 计算，有 {losers:,} 位客户"
                          f"带来的利润抵不上服务他们的成本；盈利客户贡献了总利润的 {_pct(float(ws['peak_share']))}，"
                          "亏损客户又把其中超出 100% 的部分吃掉了。")
        else:
            whale_text = ("Every customer is profitable at the margin and cost to serve given (give the cost to serve "
                          "per purchase to see the customers who cost more than they bring)." if not zh else
                          "按给定的毛利率和服务成本，每位客户都是盈利的（给出每次购买的服务成本，才能看出哪些客户得不偿失）。")
    else:
        axes[1].set_axis_off()
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
    charts.append(_chart(fig))
    abc_text = (f"The top 20% of customers bring {_pct(share20)} of revenue. Class A, the customers who together "
                f"make the first 80% of revenue, are {_pct(abc.loc['A', 'customers'] / n)} of customers." if not zh else
                f"前 20% 的客户带来 {_pct(share20)} 的销售额。A 类客户（合计贡献前 80% 销售额的客户）"
                f"占全部客户的 {_pct(abc.loc['A', 'customers'] / n)}。")
    body += [f"<h2>{esc(t['abc'])}</h2><p>{esc(abc_text)}</p>", *charts,
             _table([t["th_class"], t["th_customers"], t["th_cust_share"], t["th_revenue"], t["th_rev_share"]],
                    rows, {1, 2, 3, 4})]
    if whale_text:
        body.append(f"<p>{esc(whale_text)}</p>")

    # --- CLV
    body.append(f"<h2>{esc(t['clv'])}</h2>")
    if modelled:
        total_clv = float(c["clv"].sum())
        body.append("<p>" + esc(
            f"Over the next {cv.horizon_months} months the customers on file are expected to bring "
            f"{_fmt_money(total_clv)} of {'gross profit' if gross_margin < 1 else 'revenue'} (discounted), "
            f"{_fmt_money(total_clv / n)} per customer." if not zh else
            f"预计未来 {cv.horizon_months} 个月，现有客户将带来（折现后）{_fmt_money(total_clv)} 的"
            f"{'毛利' if gross_margin < 1 else '销售额'}，平均每位客户 {_fmt_money(total_clv / n)}。") + "</p>")
        top = c.sort_values("clv", ascending=False).head(top_n)
        last = (end - pd.to_timedelta(top["recency"], unit="D")).dt.date.astype(str)
        rows = [[r.customer_id, _fmt_money(r.clv), f"{r.p_alive:.0%}", d, f"{int(r.frequency)}", _fmt_money(r.monetary),
                 _segment_name(r.rfm_segment, lang)] for r, d in zip(top.itertuples(), last)]
        share_top = float(top["clv"].sum()) / total_clv if total_clv > 0 else 0.0
        body += [f"<h3>{esc(t['keep'])}</h3><p>" + esc(
            f"These {len(top)} customers hold {_pct(share_top)} of the expected value of the whole base." if not zh else
            f"这 {len(top)} 位客户占全部客户预期价值的 {_pct(share_top)}。") + "</p>",
            _table([t["th_id"], t["th_clv"], t["th_alive"], t["th_last"], t["th_purchases"], t["th_spend"],
                    t["th_segment"]], rows, {1, 2, 4, 5})]
        hold = holdout_check(transactions, end)
        if hold is not None:
            fig, ax = plt.subplots(figsize=(7, 3.2))
            xb = np.arange(len(hold.by_frequency))
            ax.bar(xb - 0.2, hold.by_frequency["actual"], 0.4, label=L("actual", "实际"), color="#2f6fae")
            ax.bar(xb + 0.2, hold.by_frequency["predicted"], 0.4, label=L("model", "模型"), color="#9fb3c8")
            ax.set_xticks(xb, hold.by_frequency.index)
            ax.set_xlabel(L("repeat purchases before the test period", "检验期之前的重复购买次数"))
            ax.set_ylabel(L("purchases in the test period", "检验期内的购买次数"))
            ax.legend(frameon=False)
            ax.spines[["top", "right"]].set_visible(False)
            off = hold.ratio - 1
            fit_text = (f"To see how far to trust it, the model was fitted again on the history up to "
                        f"{hold.calibration_end.date()} and asked to predict the {hold.weeks} weeks after: it predicted "
                        f"{hold.predicted:,.0f} repeat purchases by these {hold.customers:,} customers, who made "
                        f"{hold.actual:,.0f} ({'+' if off >= 0 else ''}{100 * off:.0f}%). "
                        + ("It tracks well enough to rank customers; treat the totals as estimates within about that margin."
                           if abs(off) <= 0.15 else
                           "That gap is large: use the model to rank customers rather than for totals, and look for a "
                           "change in the business (a promotion, a new channel) in the test period.")
                        if not zh else
                        f"为检验模型可信到什么程度，我们只用截至 {hold.calibration_end.date()} 的历史重新拟合模型，"
                        f"让它预测其后 {hold.weeks} 周：它预测这 {hold.customers:,} 位客户会重复购买 {hold.predicted:,.0f} 次，"
                        f"实际为 {hold.actual:,.0f} 次（{'+' if off >= 0 else ''}{100 * off:.0f}%）。"
                        + ("误差不大，可以用模型给客户排序，总量请视为大致在这一误差范围内的估计。" if abs(off) <= 0.15 else
                           "差距较大：请用模型给客户排序，而不要依赖总量；并检查检验期内业务是否有变化（促销、新渠道等）。"))
            body += [f"<h3>{esc(t['model_note'])}</h3><p>{esc(fit_text)}</p>", _chart(fig)]
        else:
            body += [f"<h3>{esc(t['model_note'])}</h3><p>" + esc(
                "The history is too short to hold part of it back and test the model (at least about a year is "
                "needed); treat its figures as a first estimate." if not zh else
                "交易历史太短，无法留出一段时间来检验模型（大约需要一年以上）；请把模型的数字当作初步估计。") + "</p>"]
    else:
        body.append("<div class=\"note\">" + esc(
            f"No lifetime-value model could be fitted to this file ({cv.model_note}). The segments and classes "
            "above do not depend on it." if not zh else
            f"无法为这份数据拟合客户终身价值模型（{cv.model_note}）。上面的分群和分类不依赖于这个模型。") + "</div>")
    body += [f"<h3>{esc(t['cannot'])}</h3><p>" + esc(
        "The model sees only purchase dates and amounts. It cannot know why a customer stopped buying, what "
        "competitors did, what the customer buys elsewhere, or what a campaign would change; it assumes the "
        "future looks like the past. A customer it calls 'probably lapsed' may simply buy rarely: check the list "
        "with the people who know the customers before acting on it." if not zh else
        "模型只看到购买日期和金额。它不知道客户为什么不再购买、竞争对手做了什么、客户在别处买了什么，也不知道一次营销活动会带来"
        "什么变化；它假设未来与过去相似。被判为“可能已流失”的客户，也许只是购买间隔较长：采取行动之前，请先和熟悉这些客户的同事"
        "核对名单。") + "</p>",
             f"<p class=\"muted\">{esc(t['footer'])}</p>"]
    page = (f'<!DOCTYPE html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(t['title'])}</title><style>{_CSS}</style></head><body><main>"
            + "\n".join(body) + "</main></body></html>\n")
    out = Path(out)
    target = out / "report.html"
    tmp = out / ".report.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
