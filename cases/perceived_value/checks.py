"""Exercise checks of the perceived-value case (notebooks/perceived_value.ipynb), from the student's own world.

Each check recomputes its answer from the world's tables independently of the notebook: where the notebook fits
the conditional logit with statsmodels' ``ConditionalLogit`` on a pandas table, the checks fit it with their own
Newton iterations on numpy arrays (one row per task, one column per offer), so a notebook bug cannot make a wrong
answer pass. The world is built in cases/perceived_value/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, through
statsmodels and ``crmlab.value.customer_delivered_value``) and the classic mistakes each check must refuse
(``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise, mistakes, solutions
from crmlab.value import customer_delivered_value

CASE = "perceived_value"
NAMES = ("brand_ours", "brand_rival", "build_to_order", "warranty_years", "advisor", "price_k", "delivery_days",
         "price_guarantee", "delivery_install")


def _design(offers: pd.DataFrame) -> np.ndarray:
    b = offers["brand"].astype(str).to_numpy()
    cols = [b == "ours", b == "rival"] + [offers[c].to_numpy() for c in ("build_to_order", "warranty_years", "advisor")]
    cols += [offers["price"].to_numpy() / 1000.0] + [offers[c].to_numpy() for c in
                                                       ("delivery_days", "price_guarantee", "delivery_install")]
    return np.column_stack(cols).astype(float)


def _newton(world) -> np.ndarray:
    """Conditional-logit maximum likelihood by Newton's method on (task, offer, attribute) arrays."""
    ch = world.tables["choices"].sort_values(["respondent_id", "task", "alternative"])
    X = _design(ch).reshape(-1, 3, len(NAMES))
    y = ch["chosen"].to_numpy().reshape(-1, 3).argmax(axis=1)
    xc = X[np.arange(len(X)), y]
    b = np.zeros(len(NAMES))
    for _ in range(50):
        v = X @ b
        p = np.exp(v - v.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        xbar = np.einsum("tj,tjk->tk", p, X)
        grad = (xc - xbar).sum(axis=0)
        d = X - xbar[:, None, :]
        hess = np.einsum("tj,tjk,tjl->kl", p, d, d)
        step = np.linalg.solve(hess, grad)
        b = b + step
        if np.abs(step).max() < 1e-10:
            break
    return b


def _fit(world) -> dict:
    cache = world.__dict__.setdefault("_pv_check_fit", {})
    if "b" not in cache:
        cache["b"] = _newton(world)
    return dict(zip(NAMES, cache["b"]))


def _wtp(b: dict) -> dict:
    return {n: -1000.0 * b[n] / b["price_k"] for n in NAMES if n != "price_k"}


def _delivered(world, w: dict) -> np.ndarray:
    """Delivered value of the market offers (yuan, without the common base value) from willingness to pay."""
    m = world.tables["market"]
    b = m["brand"].astype(str).to_numpy()
    value = (np.maximum(w["build_to_order"], 0) * m["build_to_order"] + np.maximum(w["warranty_years"], 0)
             * m["warranty_years"] + np.maximum(w["advisor"], 0) * m["advisor"]
             + np.where(b == "ours", max(w["brand_ours"], 0), np.where(b == "rival", max(w["brand_rival"], 0), 0.0)))
    cost = (m["price"] + np.maximum(-w["delivery_days"], 0) * m["delivery_days"]
            + np.maximum(w["price_guarantee"], 0) * (1 - m["price_guarantee"])
            + np.maximum(w["delivery_install"], 0) * (1 - m["delivery_install"]))
    return (np.asarray(value, float) - np.asarray(cost, float)), b


def _shares(X: np.ndarray, b: np.ndarray) -> np.ndarray:
    v = X @ b
    e = np.exp(v - v.max())
    return e / e.sum()


@exercise(CASE, "q1", hint="Keep only the chosen offers (chosen is True) and take the share of them that came with "
                           "free delivery and installation — a share between 0 and 1.",
          hint_zh="只保留被选中的方案（chosen 为 True），算出其中带免费送货安装的比例——0到1之间的比例。")
def q1(world, answer):
    ch = world.tables["choices"]
    picked = ch["delivery_install"].to_numpy()[ch["chosen"].to_numpy()]
    return close(answer, float(np.count_nonzero(picked) / picked.size), abs=5e-4,
                 what="the share of chosen offers with free delivery and installation",
                 what_zh="被选中的方案中带免费送货安装的比例")


@exercise(CASE, "q2", hint="WTP = -(part-worth of price_guarantee) / (price coefficient); the price is in thousands "
                           "of yuan, so multiply by 1000 to get yuan.",
          hint_zh="支付意愿 = -(price_guarantee 的成分效用) / 价格系数；价格以千元计，所以要乘以1000换算成元。")
def q2(world, answer):
    w = _wtp(_fit(world))
    return close(answer, w["price_guarantee"], rel=2e-3, abs=0.5,
                 what="the willingness to pay for the price guarantee (yuan)", what_zh="当月保价的支付意愿（元）")


@exercise(CASE, "q3", hint="Delivered value = total value - total cost, each component in yuan from the WTP "
                           "estimates (crmlab.value.customer_delivered_value); then ours minus the rival's.",
          hint_zh="让渡价值 = 顾客总价值 - 顾客总成本，各项都用支付意愿估计值换算成元"
                  "（crmlab.value.customer_delivered_value）；再用我方减去对手。")
def q3(world, answer):
    dv, b = _delivered(world, _wtp(_fit(world)))
    expected = float(dv[b == "ours"][0] - dv[b == "rival"][0])
    return close(answer, expected, rel=2e-3, abs=1.0, what="our delivered value minus the rival's (yuan)",
                 what_zh="我方让渡价值减去对手让渡价值（元）")


@exercise(CASE, "q4", hint="Logit shares: exp(utility) / sum of exp(utility) over the three market offers, with the "
                           "fitted part-worths; compute our share before and after adding free delivery and "
                           "installation and subtract (a difference of shares).",
          hint_zh="logit份额：exp(效用) / 三个市场方案 exp(效用) 之和，用拟合出的成分效用；分别算出加上免费送货安装"
                  "前后我方的份额再相减（份额之差）。")
def q4(world, answer):
    b = np.array([_fit(world)[n] for n in NAMES])
    m = world.tables["market"]
    X = _design(m)
    ours = (m["brand"].astype(str) == "ours").to_numpy()
    X2 = X.copy()
    X2[ours, NAMES.index("delivery_install")] = 1.0
    expected = float(_shares(X2, b)[ours][0] - _shares(X, b)[ours][0])
    return close(answer, expected, rel=2e-3, abs=2e-4,
                 what="the gain in our market share from free delivery and installation",
                 what_zh="免费送货安装带来的我方市场份额增量")


@exercise(CASE, "q5", hint="Net value = WTP for build to order - extra days x the time cost of a day (the time cost "
                           "per day is minus the WTP of one more delivery day), in yuan.",
          hint_zh="净价值 = 按订单生产的支付意愿 - 推迟的天数 x 每天的时间成本（每天的时间成本等于多等一天送货的"
                  "支付意愿取负），以元计。")
def q5(world, answer):
    w = _wtp(_fit(world))
    lv = world.tables["levers"]
    days = int(lv.loc[lv["attribute"].astype(str) == "build_to_order", "extra_delivery_days"].iloc[0])
    expected = w["build_to_order"] - days * (-w["delivery_days"])
    return close(answer, expected, rel=2e-3, abs=1.0, what="the net value of building to order (yuan)",
                 what_zh="按订单生产的净价值（元）")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_fit(world):
    """The notebook's fit: statsmodels' ConditionalLogit on the coded choices (section 4.2)."""
    from statsmodels.discrete.conditional_models import ConditionalLogit

    cache = world.__dict__.setdefault("_pv_notebook_fit", {})
    if "fit" not in cache:
        ch = world.tables["choices"]
        X = _code(ch)
        task_id = (ch["respondent_id"] * 1000 + ch["task"]).to_numpy()
        cache["fit"] = ConditionalLogit(ch["chosen"].astype(float), X, groups=task_id).fit(disp=0)
    return cache["fit"]


def _code(offers: pd.DataFrame) -> pd.DataFrame:
    """The notebook's coding of offers (section 4.2)."""
    return pd.DataFrame({
        "brand_ours": (offers["brand"] == "ours").astype(float),
        "brand_rival": (offers["brand"] == "rival").astype(float),
        "build_to_order": offers["build_to_order"].astype(float),
        "warranty_years": offers["warranty_years"].astype(float),
        "advisor": offers["advisor"].astype(float),
        "price_k": offers["price"] / 1000,
        "delivery_days": offers["delivery_days"].astype(float),
        "price_guarantee": offers["price_guarantee"].astype(float),
        "delivery_install": offers["delivery_install"].astype(float),
    })


def _components(offers: pd.DataFrame, wtp: pd.Series, base_value: float = 6000.0) -> pd.DataFrame:
    """The notebook's four values and four costs (section 4.4), negative estimates counted as zero."""
    image = offers["brand"].astype(str).map({"ours": wtp["brand_ours"], "rival": wtp["brand_rival"], "newcomer": 0.0})
    comps = pd.DataFrame({
        "product": base_value + wtp["build_to_order"] * offers["build_to_order"],
        "service": wtp["warranty_years"] * offers["warranty_years"],
        "personnel": wtp["advisor"] * offers["advisor"],
        "image": image.astype(float),
        "money": offers["price"],
        "time": -wtp["delivery_days"] * offers["delivery_days"],
        "mental": wtp["price_guarantee"] * (1 - offers["price_guarantee"].astype(float)),
        "physical": wtp["delivery_install"] * (1 - offers["delivery_install"].astype(float)),
    }).clip(lower=0)
    return comps.set_axis(offers["brand"].astype(str))


def _logit_shares(X: pd.DataFrame, params: pd.Series) -> pd.Series:
    v = X @ params
    e = np.exp(v - v.max())
    return e / e.sum()


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/perceived_value.ipynb, section 5."""
    ch, market, levers = world.tables["choices"], world.tables["market"], world.tables["levers"]
    fit = _notebook_fit(world)
    params = fit.params
    wtp = -1000 * params.drop("price_k") / params["price_k"]
    share_install_chosen = float(ch.loc[ch["chosen"], "delivery_install"].mean())
    wtp_guarantee = float(wtp["price_guarantee"])
    dv = customer_delivered_value(_components(market, wtp))["delivered_value"]
    gap_vs_rival = float(dv["ours"] - dv["rival"])
    X = _code(market).set_axis(market["brand"].astype(str))
    before = _logit_shares(X, params)
    after = _logit_shares(X.assign(delivery_install=np.where(X.index == "ours", 1.0, X["delivery_install"])), params)
    share_gain = float(after["ours"] - before["ours"])
    days = int(levers.set_index("lever").loc["build to order", "extra_delivery_days"])
    bto_net = float(wtp["build_to_order"] + days * wtp["delivery_days"])
    return {"q1": share_install_chosen, "q2": wtp_guarantee, "q3": gap_vs_rival, "q4": share_gain, "q5": bto_net}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    ch, market, levers = world.tables["choices"], world.tables["market"], world.tables["levers"]
    right = answers(world)
    params = _notebook_fit(world).params
    wtp = -1000 * params.drop("price_k") / params["price_k"]
    cdv = customer_delivered_value(_components(market, wtp))
    X = _code(market).set_axis(market["brand"].astype(str))
    before = _logit_shares(X, params)
    after = _logit_shares(X.assign(delivery_install=np.where(X.index == "ours", 1.0, X["delivery_install"])), params)
    days = int(levers.set_index("lever").loc["build to order", "extra_delivery_days"])
    return {
        "q1": {"share of all offers shown, not of the chosen ones": float(ch["delivery_install"].mean()),
               "a percentage instead of a share": 100 * right["q1"]},
        "q2": {"the raw part-worth (utility, not yuan)": float(params["price_guarantee"]),
               "WTP in thousands of yuan (forgot x 1000)": right["q2"] / 1000,
               "part-worth / price coefficient without the minus sign": -right["q2"]},
        "q3": {"total value only, costs left out": float(cdv["total_value"]["ours"] - cdv["total_value"]["rival"]),
               "costs added instead of subtracted": float(cdv["total_value"]["ours"] + cdv["total_cost"]["ours"]
                                                          - cdv["total_value"]["rival"] - cdv["total_cost"]["rival"]),
               "the rival minus ours (the wrong sign)": -right["q3"]},
        "q4": {"percentage points instead of a difference of shares": 100 * right["q4"],
               "our new share instead of the gain": float(after["ours"]),
               "relative gain (new / old - 1) instead of the difference": float(after["ours"] / before["ours"] - 1)},
        "q5": {"WTP for build to order alone, the waiting ignored": float(wtp["build_to_order"]),
               "the time cost added instead of subtracted": float(wtp["build_to_order"] - days * wtp["delivery_days"]),
               "in utility units instead of yuan": float(params["build_to_order"] + days * params["delivery_days"])},
    }
