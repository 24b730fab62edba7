"""Populations drawn from declarative segment tables.

A segment table says, for each latent segment, its name, its share of the population and, per observable
attribute, the distribution the attribute is drawn from. This is the approach of Chapman & Feit,
"R for Marketing Research and Analytics" ch. 5 and its Python edition (Schwarz, Chapman & Feit, "Python
for Marketing Research and Analytics", 2020, ch. 5): a student can read how the world was made from the
table alone, and check that the declared means and spreads come back out of the data.

Attribute specs (one dict per attribute and segment; ``dist`` picks the family):

============  ==============================  =====================================================
dist          keys                            draws
============  ==============================  =====================================================
normal        mean, sd [, low, high]          N(mean, sd), clipped to [low, high] if given
lognormal     mean, sd                        lognormal with that *mean and sd on the natural scale*
poisson       mean                            Poisson(mean)
bernoulli     p                               True with probability p (bool column)
categorical   probs (dict label -> prob)      one label (categorical column, categories in order of
                                              first declaration)
uniform       low, high                       U(low, high)
============  ==============================  =====================================================

Every spec may also carry ``decimals`` (round the drawn numbers; -2 rounds to hundreds) — ``decimals=0`` with ``dtype="int"``
gives whole numbers (e.g. ages). Clipping and rounding move the mean slightly; declare them only where
the lesson does not depend on the exact mean.

References
----------
.. [1] Chapman, C. & Feit, E. M., *R for Marketing Research and Analytics*, ch. 5.
.. [2] Schwarz, J. S., Chapman, C. & Feit, E. M. (2020), *Python for Marketing Research and Analytics*,
   ch. 5.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..._validate import check_generator, check_int, check_number

__all__ = ["DISTRIBUTIONS", "draw_segments", "segment_counts", "segment_table", "make_ids"]

DISTRIBUTIONS = ("normal", "lognormal", "poisson", "bernoulli", "categorical", "uniform")
_REQUIRED = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "poisson": ("mean",),
             "bernoulli": ("p",), "categorical": ("probs",), "uniform": ("low", "high")}
_OPTIONAL = {"dist", "decimals", "dtype", "low", "high"}


def make_ids(prefix: str, n: int, *, start: int = 1, width: int | None = None) -> np.ndarray:
    """Readable string ids ``prefix`` + zero-padded number, e.g. ``D0001`` … ``D0420``.

    Parameters
    ----------
    prefix : str    letters put before the number (may be empty)
    n : int         how many ids (>= 0)
    start : int     first number (default 1)
    width : int     digits; default: enough for the largest number

    Returns
    -------
    numpy array of Python str objects (object dtype), in increasing order.

    For millions of entities prefer plain int32 ids (``np.arange(1, n + 1, dtype=np.int32)``): strings cost
    memory and time.

    Example
    -------
    >>> make_ids("D", 3).tolist()
    ['D1', 'D2', 'D3']
    >>> make_ids("C", 2, width=4).tolist()
    ['C0001', 'C0002']
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string, got {prefix!r}")
    n = check_int(n, "n", low=0)
    start = check_int(start, "start", low=0)
    last = start + n - 1
    width = check_int(width, "width", low=1, allow_none=True) or len(str(max(last, start)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(start, start + n)], dtype=object)


def segment_table(segments) -> list[dict]:
    """Validate a declarative segment table and return it as a list of plain dicts.

    Parameters
    ----------
    segments : DataFrame or sequence of dicts
        One row per segment with ``name`` (unique str), ``share`` (> 0; shares must sum to 1 within 1e-6)
        and one column per attribute holding an attribute spec (see the module docstring). Every segment
        must declare the same attributes.

    Returns
    -------
    list of dicts ``{"name", "share", <attribute>: spec, ...}`` with shares as floats and attributes in the
    order of the first segment.

    Example
    -------
    >>> segment_table([{"name": "young", "share": 1.0, "age": {"dist": "normal", "mean": 25, "sd": 3}}])[0]["share"]
    1.0
    """
    if isinstance(segments, pd.DataFrame):
        rows = segments.to_dict(orient="records")
    elif isinstance(segments, Sequence) and not isinstance(segments, (str, bytes)):
        rows = [dict(r) if isinstance(r, Mapping) else r for r in segments]
    else:
        raise TypeError(f"segments must be a DataFrame or a list of dicts, got {type(segments).__name__}")
    if not rows:
        raise ValueError("segments is empty: declare at least one segment")
    out, names = [], set()
    attrs = None
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"segments[{i}] must be a dict, got {type(row).__name__}")
        for key in ("name", "share"):
            if key not in row:
                raise ValueError(f"segments[{i}] has no {key!r}")
        name = row["name"]
        if not isinstance(name, str) or not name:
            raise TypeError(f"segments[{i}]['name'] must be a non-empty string, got {name!r}")
        if name in names:
            raise ValueError(f"segments: name {name!r} declared twice")
        names.add(name)
        share = check_number(row["share"], f"share of segment {name!r}", low=0.0, low_open=True)
        these = [k for k in row if k not in ("name", "share")]
        if attrs is None:
            attrs = these
        elif set(these) != set(attrs):
            raise ValueError(f"segment {name!r} declares attributes {sorted(these)}, but segment "
                             f"{out[0]['name']!r} declares {sorted(attrs)}: every segment needs the same ones")
        clean = {"name": name, "share": share}
        for a in attrs:
            clean[a] = _check_spec(row[a], f"attribute {a!r} of segment {name!r}")
        out.append(clean)
    total = sum(r["share"] for r in out)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"segment shares must sum to 1, they sum to {total:.6g}")
    for a in attrs:
        kinds = {r[a]["dist"] for r in out}
        if len(kinds) > 1 and ("categorical" in kinds or "bernoulli" in kinds):
            raise ValueError(f"attribute {a!r} mixes distributions {sorted(kinds)} across segments; "
                             "categorical and bernoulli attributes must use the same family in every segment")
    return out


def _check_spec(spec, where: str) -> dict:
    if not isinstance(spec, Mapping):
        raise TypeError(f"{where} must be a dict with a 'dist' key, got {spec!r}")
    dist = spec.get("dist")
    if dist not in DISTRIBUTIONS:
        raise ValueError(f"{where}: dist must be one of {', '.join(DISTRIBUTIONS)}; got {dist!r}")
    allowed = set(_REQUIRED[dist]) | _OPTIONAL
    extra = sorted(set(spec) - allowed)
    if extra:
        raise ValueError(f"{where}: unknown key(s) {extra} for dist {dist!r}; allowed: {sorted(allowed)}")
    for key in _REQUIRED[dist]:
        if key not in spec:
            raise ValueError(f"{where}: dist {dist!r} needs {key!r}")
    s = dict(spec)
    if dist == "categorical":
        probs = spec["probs"]
        if not isinstance(probs, Mapping) or not probs:
            raise TypeError(f"{where}: probs must be a non-empty dict label -> probability")
        vals = [check_number(v, f"{where}: probability of {k!r}", low=0.0) for k, v in probs.items()]
        if abs(sum(vals) - 1.0) > 1e-6:
            raise ValueError(f"{where}: probabilities must sum to 1, they sum to {sum(vals):.6g}")
        s["probs"] = dict(zip(probs, vals))
    elif dist == "bernoulli":
        s["p"] = check_number(spec["p"], f"{where}: p", low=0.0, high=1.0)
    else:
        for key in _REQUIRED[dist]:
            s[key] = check_number(spec[key], f"{where}: {key}")
        if dist in ("normal", "lognormal"):
            check_number(s["sd"], f"{where}: sd", low=0.0)
        if dist == "lognormal":
            check_number(s["mean"], f"{where}: mean", low=0.0, low_open=True)
        if dist == "poisson":
            check_number(s["mean"], f"{where}: mean", low=0.0)
        if dist == "uniform" and s["high"] < s["low"]:
            raise ValueError(f"{where}: high must be >= low")
    if "decimals" in spec:
        s["decimals"] = check_int(spec["decimals"], f"{where}: decimals", low=-9, high=15)
    if spec.get("dtype", "float") not in ("float", "int"):
        raise ValueError(f"{where}: dtype must be 'float' or 'int', got {spec['dtype']!r}")
    return s


def segment_counts(n: int, shares: Sequence[float]) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``shares`` (largest-remainder rounding).

    The counts sum to ``n`` exactly and each differs from ``n * share`` by less than one.

    Example
    -------
    >>> segment_counts(10, [0.25, 0.25, 0.5]).tolist()
    [3, 2, 5]
    """
    n = check_int(n, "n", low=0)
    shares = np.asarray(shares, dtype=float)
    ideal = n * shares / shares.sum()
    counts = np.floor(ideal).astype(np.int64)
    short = n - int(counts.sum())
    if short:
        order = np.argsort(-(ideal - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def _draw_attribute(rng: np.random.Generator, spec: dict, size: int):
    dist = spec["dist"]
    if dist == "normal":
        x = rng.normal(spec["mean"], spec["sd"], size)
        if "low" in spec or "high" in spec:
            x = np.clip(x, spec.get("low", -np.inf), spec.get("high", np.inf))
    elif dist == "lognormal":
        m, sd = spec["mean"], spec["sd"]
        sigma2 = np.log1p((sd / m) ** 2)
        x = rng.lognormal(np.log(m) - sigma2 / 2, np.sqrt(sigma2), size)
    elif dist == "poisson":
        x = rng.poisson(spec["mean"], size).astype(float)
    elif dist == "bernoulli":
        return rng.random(size) < spec["p"]
    else:  # uniform
        x = rng.uniform(spec["low"], spec["high"], size)
    if "decimals" in spec:
        x = np.round(x, spec["decimals"])
    return x


def _categorical_codes(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    """Category numbers 0..len(probs)-1 drawn with probabilities ``probs``: the same numbers as
    ``rng.choice(len(probs), size, p=probs / probs.sum())`` (one uniform each, inverted through the
    cumulative probabilities), counted with one comparison per category when there are few, which is
    several times faster than the binary search."""
    cdf = np.cumsum(probs / probs.sum())
    cdf /= cdf[-1]
    u = rng.random(size)
    if cdf.size > 8:
        return np.searchsorted(cdf, u, side="right")
    codes = np.zeros(size, dtype=np.int16)
    for edge in cdf[:-1]:
        codes += u >= edge
    return codes


def draw_segments(rng: np.random.Generator, n: int, segments, *, exact: bool = True,
                  order: np.ndarray | None = None) -> pd.DataFrame:
    """Draw ``n`` members of a population made of latent segments, with their observable attributes.

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int
        population size (>= 0)
    segments : DataFrame or list of dicts
        the declarative segment table (see :func:`segment_table` and the module docstring)
    exact : bool
        True (default): segment sizes are exactly ``n * share`` up to rounding (as in the book's
        simulations); False: sizes are multinomial draws.
    order : array of n numbers, optional
        a ranking or score of the members (e.g. a noisy latent value). When given, members are assigned
        to segments in the declared order along it — the first segment gets the lowest-scored members —
        so segment membership can be tied to another latent quantity while the shares stay as declared
        (ties at a segment boundary are broken deterministically). Default: random assignment.

    Returns
    -------
    DataFrame with ``n`` rows (index 0..n-1): ``segment`` (categorical, categories in declared order) and
    one column per attribute — float64 for numeric specs (int64 with ``dtype="int"``), bool for
    bernoulli, categorical for categorical specs.

    References
    ----------
    .. [1] Chapman, C. & Feit, E. M., *R for Marketing Research and Analytics* (declarative segment
       simulation).
    .. [2] Schwarz, J. S., Chapman, C. & Feit, E. M. (2020), *Python for Marketing Research and Analytics*,
       ch. 5.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> segs = [{"name": "students", "share": 0.4, "age": {"dist": "normal", "mean": 21, "sd": 2},
    ...          "channel": {"dist": "categorical", "probs": {"web": 0.9, "store": 0.1}}},
    ...         {"name": "retired", "share": 0.6, "age": {"dist": "normal", "mean": 70, "sd": 5},
    ...          "channel": {"dist": "categorical", "probs": {"web": 0.2, "store": 0.8}}}]
    >>> df = draw_segments(rng, 1000, segs)
    >>> df["segment"].value_counts().sort_index().tolist()
    [400, 600]
    """
    check_generator(rng)
    n = check_int(n, "n", low=0)
    table = segment_table(segments)
    names = [s["name"] for s in table]
    shares = np.array([s["share"] for s in table])
    counts = segment_counts(n, shares) if exact else rng.multinomial(n, shares / shares.sum())
    labels = np.repeat(np.arange(len(table), dtype=np.int32), counts)
    if order is None:
        seg = rng.permutation(labels)
    else:
        order = np.asarray(order)
        if order.shape != (n,) or not np.issubdtype(order.dtype, np.number):
            raise ValueError(f"order must be an array of n={n} numbers")
        bounds = np.cumsum(counts)[:-1]
        kth = bounds[(bounds > 0) & (bounds < n)]
        # A member's segment is the number of boundaries at or below its score: a partition (no index
        # array) and one comparison per boundary. Ties at a boundary would put too many members on one
        # side; then the members are ranked with argpartition instead, which breaks ties deterministically.
        seg = np.zeros(n, dtype=np.int32)
        for edge in np.partition(order, kth)[kth] if kth.size else ():
            seg += order >= edge
        if kth.size and not np.array_equal(np.bincount(seg, minlength=len(counts)), counts):
            seg[np.argpartition(order, kth)] = labels
    attrs = [k for k in table[0] if k not in ("name", "share")]
    members = [np.flatnonzero(seg == j) for j in range(len(table))]
    out = {"segment": pd.Categorical.from_codes(seg, categories=names)}
    for a in attrs:
        specs = [s[a] for s in table]
        kind = specs[0]["dist"]
        if kind == "categorical":
            cats = list(dict.fromkeys(k for sp in specs for k in sp["probs"]))
            codes = np.empty(n, dtype=np.int16 if len(cats) < 2 ** 15 else np.int32)
            for j, sp in enumerate(specs):
                probs = np.array([sp["probs"].get(c, 0.0) for c in cats])
                codes[members[j]] = _categorical_codes(rng, probs, members[j].size)
            out[a] = pd.Categorical.from_codes(codes, categories=cats)
            continue
        values = np.zeros(n, dtype=bool) if kind == "bernoulli" else np.empty(n, dtype=float)
        for j, sp in enumerate(specs):
            values[members[j]] = _draw_attribute(rng, sp, members[j].size)
        if kind != "bernoulli" and all(sp.get("dtype") == "int" for sp in specs):
            values = np.round(values).astype(np.int64)
        out[a] = values
    return pd.DataFrame(out, copy=False)                       # our fresh arrays: no copy into 2-d blocks
