"""Purchase predictions: BG/NBD for repeat orders, Gamma-Gamma for order value.

BG/NBD: Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way", Marketing
Science 24(2). Gamma-Gamma: Fader, Hardie and Lee (2005), "RFM and CLV: Using Iso-Value
Curves for Customer Base Analysis", Journal of Marketing Research 42(4).
Both are fitted by maximum likelihood over log-parameters (so they stay positive).
Time is in whatever unit x, t_x and T are given in (days in the product).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from sync.background import started_on_thread

FloatArray = npt.NDArray[np.float64]

# Log-parameters are kept inside e^-12..e^12. A fit that ends on a bound means the data show
# no spread in that trait (say, every customer buys at the same rate): the likelihood is
# flat towards the limiting model, and the bounded optimum predicts what that limit does.
_LOG_BOUNDS = (-12.0, 12.0)

Result = TypeVar("Result")
# Where the work that needs scipy runs: here (None), or in the fitting process a command
# started on another core (`sync/fitting.py`), which sets this for the command's own thread.
# Either way the same functions run on the same arrays, so the results are bit for bit equal.
scipy_runner: ContextVar[Callable[..., Any] | None] = ContextVar("scipy_runner", default=None)


def _on_scipy_runner(function: Callable[..., Result], *arguments: Any) -> Result:
    """function(*arguments), in the fitting process when the command started one."""
    runner = scipy_runner.get()
    if runner is None:
        return function(*arguments)
    result: Result = runner(function, *arguments)
    return result


def started_on_scipy_runner(function: Callable[..., Result], *arguments: Any
                            ) -> Callable[[], Result]:
    """Start function(*arguments) in the fitting process, if the command started one, and
    return what waits for its result; the caller works on meanwhile. Without a fitting
    process it runs here and now."""
    runner = scipy_runner.get()
    if runner is None:
        result = function(*arguments)
        return lambda: result
    # the thread waits on the fitting process's pipe, which releases the GIL
    return started_on_thread("salesops-fit", lambda: runner(function, *arguments))


def load_scipy() -> None:
    """Import what fitting and predicting need, and find the BLAS thread pools, ahead of use."""
    import scipy.optimize  # noqa: F401 - the import is the point
    import scipy.special  # noqa: F401

    _thread_pools()


class FitFailed(ValueError):
    """The likelihood could not be maximised to finite parameters."""


@dataclass(frozen=True)
class BgNbdParams:
    """BG/NBD parameters: purchase rates ~ Gamma(r, alpha), drop-out p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma parameters of spend per order: shape p, and nu ~ Gamma(q, v)."""

    p: float
    q: float
    v: float


def _arrays(*columns: npt.ArrayLike) -> list[FloatArray]:
    return [np.asarray(column, dtype=float) for column in columns]


def bgnbd_log_likelihood(
    params: BgNbdParams, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """Log-likelihood of each customer's (x, t_x, T) under the BG/NBD model (FHL 2005, eq. 6)."""
    x_, t_x_, T_ = _arrays(x, t_x, T)
    x_values, x_index = np.unique(x_, return_inverse=True)
    return _bgnbd_log_likelihood(params, x_values, x_index, t_x_, T_)


def _bgnbd_log_likelihood(
    params: BgNbdParams, x_values: FloatArray, x_index: npt.NDArray[np.intp],
    t_x: FloatArray, T: FloatArray,
) -> FloatArray:
    """The BG/NBD log-likelihood with x given as distinct values and an index into them.

    Repeat counts take few distinct values, so the gamma-function terms are computed once
    per value: this is what keeps a fit over tens of thousands of customers fast.
    """
    from scipy.special import gammaln  # scipy loads only when a model is fitted

    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    # ln[Gamma(r+x)/Gamma(r)] + r ln(alpha) + ln[B(a, b+x)/B(a, b)], per distinct x
    per_x = (
        gammaln(r + x_values) - gammaln(r) + r * np.log(alpha)
        + gammaln(b + x_values) - gammaln(a + b + x_values) + gammaln(a + b) - gammaln(b)
    )
    # ln a - ln(b+x-1), for customers with repeat purchases only
    with np.errstate(divide="ignore", invalid="ignore"):
        per_x_dropped = np.where(
            x_values > 0, np.log(a) - np.log(np.maximum(b + x_values - 1, 1e-300)), -np.inf
        )
    x = x_values[x_index]
    still_alive = -(r + x) * np.log(alpha + T)
    # Only a customer with repeat purchases can have dropped out after the last one.
    dropped = per_x_dropped[x_index] - (r + x) * np.log(alpha + t_x)
    return per_x[x_index] + np.logaddexp(still_alive, dropped)


@cache
def _thread_pools() -> Any:
    """The process's BLAS thread pools, found once (a scan of every loaded library)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _maximise(negative_ll, start: FloatArray) -> FloatArray:
    """Minimise a negative log-likelihood over log-parameters; raise FitFailed if it can't.

    L-BFGS-B is fast and precise on these smooth likelihoods; Nelder-Mead, slower but
    needing no gradient, is the fallback when it stops without converging.
    """
    from scipy.optimize import minimize  # half a second to import: only when fitting

    bounds = [_LOG_BOUNDS] * len(start)
    # L-BFGS-B's BLAS calls work on a handful of parameters: OpenBLAS waking its threads
    # for each of them cost more than the fit itself (0.55 of 0.73 s for the demo on a
    # busy 2-core machine), so the fit runs on one thread.
    with np.errstate(all="ignore"), _thread_pools().limit(limits=1, user_api="blas"):
        result = minimize(negative_ll, start, method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8})
        if not (result.success and np.isfinite(result.fun)):
            # Line searches can stall near the optimum: carry on from where it stopped.
            restart = result.x if np.isfinite(result.fun) else start
            polished = minimize(negative_ll, restart, method="Nelder-Mead", bounds=bounds,
                                options={"maxiter": 2000, "xatol": 1e-8, "fatol": 1e-10})
            if not np.isfinite(result.fun) or polished.fun <= result.fun:
                result = polished
    if not (np.isfinite(result.fun) and np.all(np.isfinite(result.x))):
        raise FitFailed("the likelihood has no finite maximum")
    return np.asarray(result.x, dtype=float)


def fit_bgnbd(x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters from repeat counts, recency and age per customer."""
    return _on_scipy_runner(_fit_bgnbd, *_arrays(x, t_x, T))


def _fit_bgnbd(x_: FloatArray, t_x_: FloatArray, T_: FloatArray) -> BgNbdParams:
    if not np.any(x_ > 0):
        raise FitFailed("no customer has bought twice")
    # Customers with the same summary share a likelihood term: work out each one once.
    summary, counts = np.unique(np.column_stack([x_, t_x_, T_]), axis=0, return_counts=True)
    x_values, x_index = np.unique(summary[:, 0], return_inverse=True)
    recency, age = summary[:, 1], summary[:, 2]
    weights = counts.astype(float)
    scale = max(float(np.mean(T_)), 1e-9)

    def negative_ll(log_params: FloatArray) -> float:
        params = BgNbdParams(*(float(value) for value in np.exp(log_params)))
        terms = _bgnbd_log_likelihood(params, x_values, x_index, recency, age)
        # A plain sum, not np.dot: BLAS threads waiting on a busy machine made it 10x slower.
        total = float(np.sum(weights * terms))
        return -total if np.isfinite(total) else np.inf

    # alpha is in time units; starting near the mean age keeps the first steps sane.
    start = np.log(np.array([1.0, scale, 1.0, 1.0]))
    r, alpha, a, b = np.exp(_maximise(negative_ll, start))
    return BgNbdParams(float(r), float(alpha), float(a), float(b))


def _alive_odds(params: BgNbdParams, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    """Odds that a customer has dropped out rather than is still buying (0 without repeats)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        odds = (a / (b + x - 1)) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    return np.where(x > 0, odds, 0.0)


def p_alive(
    params: BgNbdParams, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """Probability each customer is still active at T (FHL 2005, eq. 11)."""
    x_, t_x_, T_ = _arrays(x, t_x, T)
    return 1.0 / (1.0 + _alive_odds(params, x_, t_x_, T_))


def expected_orders(
    params: BgNbdParams, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike, horizon: float
) -> FloatArray:
    """Expected purchases in (T, T + horizon] given each customer's history (FHL 2005, eq. 10)."""
    return _on_scipy_runner(_expected_orders, params, *_arrays(x, t_x, T), horizon)


def _expected_orders(
    params: BgNbdParams, x_: FloatArray, t_x_: FloatArray, T_: FloatArray, horizon: float
) -> FloatArray:
    from scipy.special import hyp2f1

    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = horizon / (alpha + T_ + horizon)
    with np.errstate(all="ignore"):
        shrink = np.exp((r + x_) * (np.log(alpha + T_) - np.log(alpha + T_ + horizon)))
        hyper = hyp2f1(r + x_, b + x_, a + b + x_ - 1, z)
        numerator = (a + b + x_ - 1) / (a - 1) * (1 - shrink * hyper)
        return numerator / (1.0 + _alive_odds(params, x_, t_x_, T_))


def gamma_gamma_log_likelihood(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> FloatArray:
    """Log-likelihood of each customer's mean spend over `frequency` orders (FHL 2005b)."""
    from scipy.special import gammaln

    x_, m_ = _arrays(frequency, monetary_value)
    p, q, v = params.p, params.q, params.v
    return (
        gammaln(p * x_ + q) - gammaln(p * x_) - gammaln(q)
        + q * np.log(v) + (p * x_ - 1) * np.log(m_) + p * x_ * np.log(x_)
        - (p * x_ + q) * np.log(x_ * m_ + v)
    )


def fit_gamma_gamma(frequency: npt.ArrayLike, monetary_value: npt.ArrayLike) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters from customers' order counts and mean spend.

    Only customers with at least one order and a positive mean spend belong in the fit.
    """
    return _on_scipy_runner(_fit_gamma_gamma, *_arrays(frequency, monetary_value))


def _fit_gamma_gamma(x_: FloatArray, m_: FloatArray) -> GammaGammaParams:
    keep = (x_ > 0) & (m_ > 0)
    x_, m_ = x_[keep], m_[keep]
    if len(x_) == 0:
        raise FitFailed("no customer has a positive spend on repeat orders")

    def negative_ll(log_params: FloatArray) -> float:
        p, q, v = np.exp(log_params)
        total = float(np.sum(gamma_gamma_log_likelihood(GammaGammaParams(p, q, v), x_, m_)))
        return -total if np.isfinite(total) else np.inf

    start = np.log(np.array([1.0, 1.0, max(float(np.mean(m_)), 1e-9)]))
    p, q, v = np.exp(_maximise(negative_ll, start))
    return GammaGammaParams(float(p), float(q), float(v))


def expected_order_value(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> FloatArray:
    """Expected spend per order given each customer's order count and mean spend.

    A customer with no usable history (frequency 0) gets the population mean p v / (q - 1).
    """
    x_, m_ = _arrays(frequency, monetary_value)
    p, q, v = params.p, params.q, params.v
    usable = (x_ > 0) & (m_ > 0)
    x_ = np.where(usable, x_, 0.0)
    m_ = np.where(usable, m_, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = p * (v + x_ * m_) / (p * x_ + q - 1)
    # With q <= 1 the population mean is infinite: there is no finite expectation to give.
    return np.where(p * x_ + q - 1 > 0, value, np.nan)


@dataclass(frozen=True)
class PurchaseModel:
    """Both models fitted to one set of customers, and what they predict for each; a part
    that could not be worked out is None, with the reason."""

    alive: FloatArray | None = None  # P(Alive)
    expected: FloatArray | None = None  # expected orders over the horizon
    order_value: FloatArray | None = None  # expected spend per order
    orders_failed: str | None = None  # why BG/NBD could not be fitted
    orders_infinite: bool = False  # BG/NBD fitted, but a prediction is not finite
    value_failed: str | None = None  # why Gamma-Gamma could not be fitted
    value_infinite: bool = False  # Gamma-Gamma fitted, but an order value is not finite


def purchase_model(x: FloatArray, t_x: FloatArray, T: FloatArray, spend: FloatArray,
                   horizon: float) -> PurchaseModel:
    """BG/NBD and then Gamma-Gamma fitted to customers' repeat days `x`, recency `t_x`, age
    `T` and mean repeat spend, with each customer's predictions over `horizon` days: the
    whole of the work that needs scipy, in one call, so that it runs in the fitting process
    while the command computes the rest (`started_on_scipy_runner`)."""
    try:
        params = fit_bgnbd(x, t_x, T)
    except FitFailed as error:
        return PurchaseModel(orders_failed=str(error))
    alive = p_alive(params, x, t_x, T)
    expected = expected_orders(params, x, t_x, T, horizon)
    if not (np.all(np.isfinite(alive)) and np.all(np.isfinite(expected))):
        return PurchaseModel(orders_infinite=True)
    try:
        spend_params = fit_gamma_gamma(x, spend)
    except FitFailed as error:
        return PurchaseModel(alive, expected, value_failed=str(error))
    value = expected_order_value(spend_params, x, spend)
    if not np.all(np.isfinite(value)):
        return PurchaseModel(alive, expected, value_infinite=True)
    return PurchaseModel(alive, expected, value)
