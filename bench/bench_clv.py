"""Benchmark of crmlab.clv: maximum-likelihood fits on a million simulated customers.

The customers are a cohort recorded by date, as real data are: first purchases spread over a quarter,
52 weeks of observation, time in weeks with recency and T rounded to whole days. Identical
(frequency, recency, T) patterns are fitted once with their counts as weights, which is what makes a
million customers fast; the figures report the seconds and the number of distinct patterns.
"""
from __future__ import annotations

import time

import numpy as np

from crmlab.clv import (BetaGeoModel, GammaGammaModel, ParetoNBDModel, simulate_bgnbd, simulate_paretonbd,
                        simulate_spend)

_DAY = 1.0 / 7.0


def _timed(fit):
    """Run ``fit()``; return its result and (wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    model = fit()
    return model, (time.perf_counter() - wall, time.process_time() - cpu)


def _cohort_T(n: int, rng: np.random.Generator) -> np.ndarray:
    """Observation lengths for a cohort whose first purchases fall in the first 90 days."""
    return 52.0 - rng.integers(0, 90, n) * _DAY


def run(quick: bool) -> list[dict]:
    """Fit BG/NBD and Pareto/NBD to 1,000,000 simulated customers (100,000 when quick), Gamma-Gamma to the
    Pareto/NBD customers with repeat purchases."""
    n = 100_000 if quick else 1_000_000
    rng = np.random.default_rng(20260101)
    results: list[dict] = []

    def record(name: str, seconds: tuple[float, float], model, truth: dict) -> None:
        len_data = model.n_customers_
        wall, cpu = seconds
        fitted = ", ".join(f"{k}={v:.3f}" for k, v in model.params_.items())
        planted = ", ".join(f"{k}={v}" for k, v in truth.items())
        results.append({"name": f"{name}_fit_cpu_seconds", "value": round(cpu, 3), "unit": "s",
                        "note": "process time of the fit (wall time depends on other load on the machine)"})
        results.append({"name": f"{name}_fit_seconds", "value": round(wall, 3), "unit": "s",
                        "note": f"{model.n_customers_:,} customers, {model.n_patterns_:,} distinct patterns, converged="
                                f"{model.converged_}; fitted {fitted}; planted {planted}"})
        results.append({"name": f"{name}_patterns", "value": model.n_patterns_, "unit": "rows",
                        "note": f"distinct data rows the likelihood was evaluated on, out of {len_data:,} customers"})

    bg_truth = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    data = simulate_bgnbd(n, **bg_truth, T=_cohort_T(n, rng), seed=rng, time_step=_DAY)
    bg, seconds = _timed(lambda: BetaGeoModel().fit(data["frequency"], data["recency"], data["T"]))
    record("bgnbd", seconds, bg, bg_truth)

    pn_truth = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    data = simulate_paretonbd(n, **pn_truth, T=_cohort_T(n, rng), seed=rng, time_step=_DAY)
    pn, seconds = _timed(lambda: ParetoNBDModel().fit(data["frequency"], data["recency"], data["T"]))
    record("paretonbd", seconds, pn, pn_truth)

    gg_truth = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    repeaters = data.loc[data["frequency"] > 0, "frequency"]
    spend = simulate_spend(repeaters, **gg_truth, seed=rng)
    spend["monetary_value"] = spend["monetary_value"].round(2)  # amounts recorded in cents
    gg, seconds = _timed(lambda: GammaGammaModel().fit(spend["frequency"], spend["monetary_value"]))
    record("gammagamma", seconds, gg, gg_truth)
    return results


if __name__ == "__main__":
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(row)
