"""crmlab.casekit.group_mean_reliability and disattenuate (added for the haidilao and singapore_airlines notebooks).

Checked against a brute-force loop over groups (sums of squares written out), against the planted truth of a
simulated two-level survey (known between- and within-group variances), and against Spearman's closed form.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.casekit import disattenuate, group_mean_reliability


def test_matches_a_brute_force_anova_on_unbalanced_groups():
    """MSB, MSW, k0 and both ICCs equal a loop that sums squares group by group."""
    rng = np.random.default_rng(3)
    sizes = [3, 7, 2, 5, 9]
    groups = np.repeat(np.arange(len(sizes)), sizes)
    y = rng.normal(0, 1, groups.size) + rng.normal(0, 1, len(sizes))[groups]
    f = pd.DataFrame({"g": groups, "y": y})
    out = group_mean_reliability(f, "y", "g")
    grand = y.mean()
    ssb = ssw = 0.0
    for k in range(len(sizes)):
        yk = y[groups == k]
        ssb += len(yk) * (yk.mean() - grand) ** 2
        ssw += sum((v - yk.mean()) ** 2 for v in yk)
    n, g = len(y), len(sizes)
    msb, msw = ssb / (g - 1), ssw / (n - g)
    k0 = (n - sum(s * s for s in sizes) / n) / (g - 1)
    assert out["msb"] == pytest.approx(msb)
    assert out["msw"] == pytest.approx(msw)
    assert out["k0"] == pytest.approx(k0)
    assert out["icc1"] == pytest.approx((msb - msw) / (msb + (k0 - 1) * msw))
    assert out["reliability"] == pytest.approx(1 - msw / msb)


def test_recovers_planted_icc_and_spearman_brown_reliability():
    """Between variance 0.25, within 1, 20 per group: ICC(1) = 0.2, reliability = 20·0.2 / (1 + 19·0.2) = 0.833."""
    rng = np.random.default_rng(7)
    g, k = 2000, 20
    groups = np.repeat(np.arange(g), k)
    y = rng.normal(0, 0.5, g)[groups] + rng.normal(0, 1, g * k)
    out = group_mean_reliability(pd.DataFrame({"team": groups, "score": y}), "score", "team")
    assert out["icc1"] == pytest.approx(0.2, abs=0.02)
    assert out["reliability"] == pytest.approx(20 * 0.2 / (1 + 19 * 0.2), abs=0.02)
    # the empirical reliability of the group means: var(true) / var(observed mean)
    means = pd.Series(y).groupby(groups).mean()
    assert out["reliability"] == pytest.approx(0.25 / means.var(), abs=0.03)


def test_disattenuate_closed_form_and_recovers_a_planted_correlation():
    """r / sqrt(rx·ry); noisy measures of two variables with correlation 0.6 are corrected back to ≈ 0.6."""
    assert disattenuate(0.3, 0.5, 0.8) == pytest.approx(0.3 / np.sqrt(0.4))
    rng = np.random.default_rng(1)
    x = rng.standard_normal(200_000)
    y = 0.6 * x + 0.8 * rng.standard_normal(x.size)
    xo, yo = x + rng.normal(0, 0.5, x.size), y + rng.normal(0, 1.0, x.size)   # reliabilities 0.8 and 0.5
    r = np.corrcoef(xo, yo)[0, 1]
    assert r < 0.4
    assert disattenuate(r, 0.8, 0.5) == pytest.approx(0.6, abs=0.01)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"value_col": "nope"}, ValueError, "value_col"),
    ({"group_col": "nope"}, ValueError, "group_col"),
    ({"value_col": "label"}, TypeError, "label"),
])
def test_group_mean_reliability_bad_input(kwargs, exc, match):
    f = pd.DataFrame({"g": [1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 5.0], "label": list("abcd")})
    with pytest.raises(exc, match=match):
        group_mean_reliability(f, **{"value_col": "y", "group_col": "g", **kwargs})


def test_group_mean_reliability_needs_two_groups_and_between_variation():
    with pytest.raises(ValueError, match="two groups"):
        group_mean_reliability(pd.DataFrame({"g": [1, 1], "y": [1.0, 2.0]}), "y", "g")
    with pytest.raises(ValueError, match="no variation between groups"):
        group_mean_reliability(pd.DataFrame({"g": [1, 1, 2, 2], "y": [1.0, 2.0, 1.0, 2.0]}), "y", "g")
    with pytest.raises(TypeError, match="frame"):
        group_mean_reliability([1, 2], "y", "g")


@pytest.mark.parametrize("args, match", [((1.2, 0.5), "r must"), ((0.3, 0.0), "reliability_x"),
                                         ((0.3, 0.5, 1.5), "reliability_y"), ((0.3, True), "reliability_x")])
def test_disattenuate_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        disattenuate(*args)
