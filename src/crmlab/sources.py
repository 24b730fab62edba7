"""The course's five source documents: readable names, citations, and where to find the texts.

The case studies and frameworks of crmlab come from five Chinese texts collected for a CRM course. This
module is the one place that names them. Docstrings, notebooks and case files cite a document by its
English name and number, then the lines, e.g. ``CRM Q&A compilation (source 0), lines 57–61``; in Chinese
``《客户关系管理问答汇编》（资料0）第57–61行``. :func:`cite` writes that string, ``SOURCES.md`` at the
top of the checkout lists the documents, and case files refer to one by its key (``source: crm_qa``).

Lines are numbered from 1 and count every line of the file, blank ones included (the ``n``-th element of
``text.splitlines()``).

>>> cite("crm_qa", "57-61")
'CRM Q&A compilation (source 0), lines 57–61'
>>> cite("crm_articles", 653, lang="zh")
'《客户关系管理文章选编》（资料3）第653行'
>>> get(4).key
'rm_essay'
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ._validate import check_lang
from .errors import CrmlabError

__all__ = ["Source", "SOURCES", "UnknownSourceError", "keys", "get", "cite", "seeds_dir", "seed_path",
           "markdown_table"]



class UnknownSourceError(CrmlabError, KeyError):
    """No source document with that key, number or file name. The message lists the valid keys."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Source:
    """One source document: its key, number, file, names and a one-sentence description in two languages."""

    key: str
    number: int
    file: str
    name_en: str
    name_zh: str
    description_en: str
    description_zh: str
    n_lines: int  # lines in the file (len(text.splitlines())); no citation may go beyond it

    def name(self, lang: str = "en") -> str:
        """The document's name with its number: ``CRM Q&A compilation (source 0)`` / ``《…》（资料0）``."""
        check_lang(lang)
        return f"{self.name_en} (source {self.number})" if lang == "en" else f"《{self.name_zh}》（资料{self.number}）"

    def cite(self, lines=None, lang: str = "en") -> str:
        """The readable citation of ``lines`` of this document (see :func:`cite`)."""
        check_lang(lang)
        spans = _spans(lines, self)
        if not spans:
            return self.name(lang)
        items = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans]
        if lang == "zh":
            return f"{self.name('zh')}第{'、'.join(items)}行"
        word = "line" if len(spans) == 1 and spans[0][0] == spans[0][1] else "lines"
        joined = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        return f"{self.name('en')}, {word} {joined}"

    @property
    def path(self) -> Path | None:
        """The text file on this machine, or None when the source documents are not beside the checkout."""
        return seed_path(self)


SOURCES: tuple[Source, ...] = (
    Source(
        key="crm_qa", number=0, file="000_5648a0db4edeb316.txt", n_lines=271,
        name_en="CRM Q&A compilation", name_zh="客户关系管理问答汇编",
        description_en=(
            "Answers to ten CRM questions (sections ㈠–㈩, in traditional characters): building a CRM platform, "
            "relationship-marketing strategy, the contents of the casebook 客户关系管理经典案例及精解 (section ㈣: "
            "twelve cases from Shanghai Volkswagen, Haidilao, Ctrip, Singapore Airlines and Tesco to FedEx, Beijing "
            "Post and CEIBS), Kotler's five relationship levels, American Airlines' mileage programme, Citibank, "
            "the IDIC steps and Boeing's global supply chain."),
        description_zh=(
            "十个客户关系管理问题的解答（㈠–㈩，繁体字）：如何构建CRM平台、关系营销策略、《客户关系管理经典案例及精解》"
            "的目录（㈣：上海大众、海底捞、携程、新加坡航空、德士高直至联邦快递、北京东区邮局、中欧国际工商学院等十二个案例）、"
            "科特勒的五种关系水平、美国航空的里程计划、花旗银行、识别—区分—互动—定制四步骤和波音的全球供应链。"),
    ),
    Source(
        key="analytical_crm", number=1, file="001_ab35f7e495178e4a.txt", n_lines=416,
        name_en="Analytical CRM course pack", name_zh="分析型客户关系管理课程资料",
        description_en=(
            "Excerpts of CRM course documents under the heading 分析型客户关系管理 (analytical CRM): a student report "
            "on Haidilao, Hu Shaodong's paper on analytical CRM for mobile operators, exam-review notes and answers, "
            "the types of CRM, Lenovo, a cosmetics firm's show for graduating students, Xiaomi, Huawei, Haier, and "
            "Capgemini's 2005 slides on Westpac's Reach programme."),
        description_zh=(
            "以“分析型客户关系管理”为题的课程资料摘编：海底捞客户关系管理分析报告、胡少东关于分析型CRM在移动电话行业应用的"
            "论文、复习资料与课后答案、CRM的分类、联想、化妆品公司为应届女毕业生举办的表演会、小米、华为、海尔，"
            "以及凯捷（Capgemini）2005年关于西太平洋银行（Westpac）Reach项目的演示文稿。"),
    ),
    Source(
        key="vendor_page", number=2, file="002_a6012db5111b3bd7.txt", n_lines=99,
        name_en="CRM vendor web page", name_zh="CRM软件厂商网页",
        description_en=(
            "The industry-news page of a Chinese CRM software site (事业宝贝): a ticker of firms buying, renewing or "
            "upgrading its Silver, Gold and Diamond editions, and an article on CRM based on supply-chain management "
            "in Chinese firms."),
        description_zh=(
            "国内一家CRM软件网站（事业宝贝）的行业新闻页：企业购买、续费、升级白银版、黄金版、钻石版的滚动信息，"
            "以及一篇基于供应链管理的国内企业客户关系管理文章。"),
    ),
    Source(
        key="crm_articles", number=3, file="003_8f324888612aecb9.txt", n_lines=705,
        name_en="CRM article collection", name_zh="客户关系管理文章选编",
        description_en=(
            "Web articles on customers and selling (four behavioural customer types, persuading different "
            "customers, home buyers, key-account management, a provincial self-study exam office's CRM, study "
            "notes) followed by a CRM lecture script (lines 279–699: customers, satisfaction c = b/a, perceived "
            "value, loyalty types, the British Telecom survey, rewarding loyalty)."),
        description_zh=(
            "网上文章选编：客户的四种行为类型、不同客户的说服策略、购房者类型、关键客户管理、某省自考机构的CRM读后感、"
            "学习心得；其后是一份客户关系管理讲稿（第279–699行：客户、客户满意度c=b/a、客户感知价值、客户忠诚的类型、"
            "英国电信的调查、奖励忠诚）。"),
    ),
    Source(
        key="rm_essay", number=4, file="004_12ecbbcf233bfde9.txt", n_lines=33,
        name_en="Relationship-marketing essay", name_zh="关系营销与客户管理论文",
        description_en=(
            "The essay 融合关系营销与客户管理提升企业核心竞争力 (traditional characters, reposted by an ERP news "
            "site) on combining relationship marketing with customer management, with Chinese cases: China "
            "Merchants Bank's life stages, Shanghai GM's Buick Care, Adrian Payne's loyalty ladder, China Mobile's "
            "12580 and CNNIC's 2011 microblog figures."),
        description_zh=(
            "《融合关系营销与客户管理提升企业核心竞争力》一文（繁体字，转载自拓步ERP资讯网），论关系营销与客户管理的结合，"
            "附国内案例：招商银行“伙伴一生”的人生阶段、上海通用“别克关怀”、艾德里安·佩恩的客户忠诚度阶梯、"
            "中国移动12580和CNNIC 2011年的微博用户数据。"),
    ),
)

_BY_KEY = {s.key: s for s in SOURCES}
_BY_NUMBER = {s.number: s for s in SOURCES}
_BY_FILE = {**{s.file: s for s in SOURCES}, **{s.file.removesuffix(".txt"): s for s in SOURCES}}


def keys() -> tuple[str, ...]:
    """The documents' keys in number order: ``('crm_qa', 'analytical_crm', …)``."""
    return tuple(s.key for s in SOURCES)


def get(key_or_number) -> Source:
    """The :class:`Source` with that key (``"crm_qa"``), number (``0``) or file name.

    >>> get("crm_qa").name_en
    'CRM Q&A compilation'
    >>> get("000_5648a0db4edeb316.txt").number
    0
    """
    if isinstance(key_or_number, Source):
        return key_or_number
    if isinstance(key_or_number, int) and not isinstance(key_or_number, bool):
        found = _BY_NUMBER.get(key_or_number)
    elif isinstance(key_or_number, str):
        found = _BY_KEY.get(key_or_number) or _BY_FILE.get(key_or_number)
    else:
        raise TypeError(f"a source is named by its key (str) or number (int), got {type(key_or_number).__name__}")
    if found is None:
        raise UnknownSourceError(f"unknown source {key_or_number!r}; valid keys: {', '.join(keys())} "
                                 f"(or the numbers 0-{len(SOURCES) - 1}; see SOURCES.md)")
    return found


_RANGE = re.compile(r"^\s*(\d+)\s*(?:[-–—~]\s*(\d+))?\s*$")


def _spans(lines, src: Source) -> list[tuple[int, int]]:
    """``lines`` as a list of (first, last) pairs, checked against the document's length."""
    if lines is None:
        return []
    if isinstance(lines, (int, str)) or (isinstance(lines, tuple) and len(lines) == 2
                                         and all(isinstance(x, int) for x in lines)):
        items = [lines]
    else:
        try:
            items = list(lines)
        except TypeError:
            raise TypeError(f"lines must be an int, a string like '57-61' or a list of them, "
                            f"got {type(lines).__name__}") from None
    spans = []
    for item in items:
        if isinstance(item, str):
            for part in re.split(r",|、|\band\b", item):
                m = _RANGE.match(part)
                if not m:
                    raise ValueError(f"cannot read line range {part.strip()!r} in {item!r}: "
                                     "write '57', '57-61' or '57-61, 95-98'")
                spans.append((int(m[1]), int(m[2] or m[1])))
        elif isinstance(item, tuple) and len(item) == 2:
            spans.append(item)
        else:
            spans.append((item, item))
    for first, last in spans:
        for x in (first, last):
            if not isinstance(x, int) or isinstance(x, bool):
                raise TypeError(f"line numbers must be integers, got {x!r}")
        if not 1 <= first <= last <= src.n_lines:
            what = f"line {first}" if first == last else f"lines {first}-{last}"
            raise ValueError(f"{what}: not a line range of {src.name('en')}, which has {src.n_lines} lines "
                             "(numbered from 1; a range runs forwards)")
    return spans


def cite(key, lines=None, lang: str = "en") -> str:
    """The readable citation of a source document, optionally of some of its lines.

    Parameters
    ----------
    key : str or int
        The document's key (``"crm_qa"``), number (``0``) or file name.
    lines : int, str, tuple or list, optional
        One line (``13``), a range (``"57-61"``, ``(57, 61)``), or several (``"95-98, 152-155"``,
        ``[12, (57, 61)]``). Lines are numbered from 1.
    lang : {"en", "zh"}
        English (``CRM Q&A compilation (source 0), lines 57–61``) or Chinese
        (``《客户关系管理问答汇编》（资料0）第57–61行``).

    Returns
    -------
    str

    Raises
    ------
    UnknownSourceError
        For a key that names no document; the message lists the valid keys.
    ValueError
        For lines beyond the end of the document or a range that runs backwards.

    Examples
    --------
    >>> cite("crm_qa")
    'CRM Q&A compilation (source 0)'
    >>> cite("crm_qa", 13)
    'CRM Q&A compilation (source 0), line 13'
    >>> cite(0, "95-98, 152-155")
    'CRM Q&A compilation (source 0), lines 95–98 and 152–155'
    >>> cite("rm_essay", (18, 21), lang="zh")
    '《关系营销与客户管理论文》（资料4）第18–21行'
    """
    return get(key).cite(lines, lang=lang)


def seeds_dir() -> Path | None:
    """The folder holding the five text files, or None when it is not on this machine.

    ``CRMLAB_SEEDS`` names it; otherwise it is ``shared/seeds`` beside the checkout (the checkout's parent's
    ``shared/seeds``).
    """
    env = os.environ.get("CRMLAB_SEEDS")
    if env:
        folder = Path(env).expanduser()
    else:
        from .paths import project_root

        try:
            folder = project_root().parent / "shared" / "seeds"
        except CrmlabError:
            return None
    return folder if folder.is_dir() else None


def seed_path(key) -> Path | None:
    """The text file of a source document, or None when it is not on this machine."""
    src = get(key)
    folder = seeds_dir()
    if folder is None:
        return None
    path = folder / src.file
    return path if path.is_file() else None


def markdown_table(lang: str = "en") -> str:
    """The table of the documents in ``SOURCES.md`` (English or Chinese), one row per document."""
    check_lang(lang)
    if lang == "en":
        rows = ["| Key | No. | English name | Chinese name | What it is | File |",
                "|---|---|---|---|---|---|"]
        rows += [f"| `{s.key}` | {s.number} | {s.name_en} | {s.name_zh} | {s.description_en} | `{s.file}` |"
                 for s in SOURCES]
    else:
        rows = ["| 键 | 编号 | 名称 | 内容 |", "|---|---|---|---|"]
        rows += [f"| `{s.key}` | 资料{s.number} | {s.name_zh} | {s.description_zh} |" for s in SOURCES]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m crmlab.sources: print the tables for SOURCES.md
    print(markdown_table("en"))
    print(markdown_table("zh"))
