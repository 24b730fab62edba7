"""Buy-till-you-die models of customer-base analysis and customer lifetime value.

- :class:`BetaGeoModel` (BG/NBD) and :class:`ParetoNBDModel` model how many repeat purchases each customer
  makes and whether they are still active, from the summary (frequency, recency, T);
- :class:`GammaGammaModel` models the average spend per purchase;
- :func:`customer_lifetime_value` combines the two with monthly discounting;
- :func:`load_cdnow` loads the CDNOW sample the models were published on;
- :func:`simulate_bgnbd`, :func:`simulate_paretonbd`, :func:`simulate_spend` draw data with a planted truth.

All models are fitted by maximum likelihood in the scikit-learn style (``fit`` returns the model, fitted
attributes end in ``_``); ``from_params`` builds one from published parameters instead.
"""
from ._base import NotFittedError
from .bgnbd import BetaGeoModel
from .datasets import load_cdnow
from .gammagamma import GammaGammaModel
from .paretonbd import ParetoNBDModel
from .simulate import simulate_bgnbd, simulate_paretonbd, simulate_spend
from .value import customer_lifetime_value

__all__ = ["BetaGeoModel", "ParetoNBDModel", "GammaGammaModel", "customer_lifetime_value", "load_cdnow",
           "simulate_bgnbd", "simulate_paretonbd", "simulate_spend", "NotFittedError"]
