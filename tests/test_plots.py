"""House style and Chinese labels: both the CJK path and the English fallback."""
import os
import warnings

import matplotlib.pyplot as plt
import pytest

from crmlab import plots


@pytest.fixture(autouse=True)
def _fresh_plot_state():
    import matplotlib

    saved = matplotlib.rcParams.copy()
    plots._reset_for_tests()
    yield
    plots._reset_for_tests()
    matplotlib.rcParams.update(saved)


def test_label_follows_language():
    plots._state["lang"] = "zh"
    assert plots.label("Revenue", "收入") == "收入"
    assert plots.label("Revenue") == "Revenue"  # no Chinese given: English stays
    assert plots.label("Revenue", "收入", lang="en") == "Revenue"


def test_setup_rejects_unknown_language():
    with pytest.raises(ValueError, match="lang must be 'en' or 'zh'"):
        plots.setup("fr")


def test_without_cjk_font_falls_back_to_english_with_one_warning(monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    with pytest.warns(plots.CJKFontWarning, match="no CJK font"):
        assert plots.setup("zh") == "en"
    assert plots.label("Revenue", "收入") == "Revenue"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plots.setup("zh") == "en"  # second call: no second warning


def test_with_cjk_font_chinese_renders_without_missing_glyphs(tmp_path):
    font = plots.cjk_font()
    if font is None:
        if os.environ.get("CI"):
            pytest.fail("CI is expected to install a CJK font (fonts-wqy-microhei, see .ci/run)")
        pytest.skip("no CJK font on this machine; the fallback path is tested above")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plots.setup("zh") == "zh"
        fig, ax = plt.subplots()
        ax.set_title(plots.label("Customer value", "客户价值"))
        ax.plot([-1, 1], [-2, 2], label=plots.label("whale curve", "鲸鱼曲线"))
        ax.legend()
        fig.savefig(tmp_path / "zh.png")
    import matplotlib

    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert matplotlib.rcParams["font.sans-serif"][0] == font


def test_english_labels_render_without_warnings(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plots.setup("en") == "en"
        fig, ax = plt.subplots()
        ax.bar(["A", "B"], [3, -1])
        ax.set_title(plots.label("Pareto", "帕累托"))
        fig.savefig(tmp_path / "en.png")
