"""BG/NBD and Gamma-Gamma: formulas by hand, the published CDNOW fit, parameter recovery."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sync.compute.predictions import (
    BgNbdParams,
    FitFailed,
    GammaGammaParams,
    bgnbd_log_likelihood,
    expected_order_value,
    expected_orders,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
)
from tests.real_datasets import cdnow_history

CDNOW = Path(__file__).parent / "data" / "cdnow" / "CDNOW_sample.txt"
ONES = BgNbdParams(r=1.0, alpha=1.0, a=1.0, b=1.0)


def test_log_likelihood_by_hand():
    # x=0, T=1: Gamma(1)/Gamma(1) * 1^1 * B(1,1)/B(1,1) * (1+1)^-1 = 1/2
    # x=1, t_x=1, T=2: Gamma(2)/Gamma(1) * B(1,2)/B(1,1) = 1 * (1/2) / 1 = 1/2, times
    #   (alpha+T)^-(r+x) + a/(b+x-1) (alpha+t_x)^-(r+x) = 3^-2 + 1/1 * 2^-2 = 1/9 + 1/4 = 13/36
    #   -> 1/2 * 13/36 = 13/72
    got = bgnbd_log_likelihood(ONES, [0, 1], [0, 1], [1, 2])
    assert got == pytest.approx(np.log([1 / 2, 13 / 72]))


def test_p_alive_by_hand():
    # x=1, t_x=1, T=2: 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))
    #   = 1 / (1 + 1 * (3/2)^2) = 1 / 3.25
    # x=0: never seen to drop out after a repeat purchase -> 1
    assert p_alive(ONES, [1, 0], [1, 0], [2, 5]) == pytest.approx([1 / 3.25, 1.0])


def test_expected_orders_by_hand():
    # r=1, alpha=1, a=2, b=1, x=0, t_x=0, T=0, horizon 1:
    #   (a+b+x-1)/(a-1) * (1 - ((alpha+T)/(alpha+T+t))^(r+x) * 2F1(1, 1; 2; z)), z = 1/2
    #   2F1(1, 1; 2; z) = -ln(1-z)/z = ln 2 / 0.5 = 1.386294
    #   = 2/1 * (1 - 0.5 * 1.386294) = 2 * (1 - ln 2) = 0.613706
    params = BgNbdParams(r=1.0, alpha=1.0, a=2.0, b=1.0)
    got = expected_orders(params, [0], [0], [0], horizon=1)
    assert got == pytest.approx([2 * (1 - np.log(2))])


def test_expected_orders_shrink_with_doubt_that_the_customer_is_alive():
    # Same history except the last purchase: the customer quiet for longer is less
    # likely alive and expected to buy less.
    params = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    recent, quiet = expected_orders(params, [3, 3], [30, 5], [32, 32], horizon=10)
    assert recent > quiet > 0


def test_expected_order_value_by_hand():
    # p=6, q=4, v=15; x=2 repeat orders averaging 20:
    #   p (v + x m) / (p x + q - 1) = 6 * (15 + 40) / (12 + 4 - 1) = 330 / 15 = 22
    # no repeat orders: the population mean p v / (q - 1) = 90 / 3 = 30
    params = GammaGammaParams(p=6.0, q=4.0, v=15.0)
    assert expected_order_value(params, [2, 0], [20, 0]) == pytest.approx([22.0, 30.0])


def test_order_value_is_blank_when_the_population_mean_is_infinite():
    # q <= 1: p v / (q - 1) has no finite value
    params = GammaGammaParams(p=6.0, q=0.9, v=15.0)
    assert np.isnan(expected_order_value(params, [0], [0])[0])


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return cdnow_history()


def test_cdnow_summary_matches_the_published_one(cdnow):
    # Published summary (cdnow_customers_summary_with_transactions.csv, ID 1 and 2):
    # ID 1: x=2, t_x=30.43 weeks, T=38.86 weeks, mean repeat spend 22.35
    #   bought 1997-01-01, 01-18 (29.73), 08-02 (14.96); 12-12 is after calibration
    #   t_x = 213 days / 7 = 30.43; T = 272 / 7 = 38.86; (29.73 + 14.96) / 2 = 22.345
    # ID 2: x=1, t_x=1.71, T=38.86, 11.77 (1997-01-01, then 01-13 for 11.77: 12 / 7 = 1.71)
    assert len(cdnow) == 2357
    assert int((cdnow["x"] > 0).sum()) == 946
    first, second = cdnow.loc["1"], cdnow.loc["2"]
    assert (first["x"], round(first["t_x"] / 7, 2), round(first["T"] / 7, 2)) == (2, 30.43, 38.86)
    assert first["repeat_spend"] == pytest.approx(22.345)
    assert (second["x"], round(second["t_x"] / 7, 2)) == (1, 1.71)
    assert second["repeat_spend"] == pytest.approx(11.77)


def test_cdnow_summary_matches_the_published_one_for_every_customer(cdnow):
    # The published calibration summary of the sample (x, t_x and T in weeks to two
    # decimals, zbar the mean spend over repeat purchase days), customer by customer.
    published = pd.read_csv(CDNOW.with_name("cdnow_customers_summary_with_transactions.csv"),
                            dtype={"ID": str}).set_index("ID")
    assert len(published) == 2357
    ours = cdnow.reindex(published.index)
    assert (ours["x"] == published["x"]).all()
    assert (ours["t_x"] / 7 - published["t_x"]).abs().max() < 0.005 + 1e-9
    assert (ours["T"] / 7 - published["T"]).abs().max() < 0.005 + 1e-9
    assert (ours["repeat_spend"] - published["zbar"]).abs().max() < 0.005 + 1e-9


def test_cdnow_bgnbd_fit_reproduces_the_published_parameters(cdnow):
    # FHL 2005, section 5: r = 0.243, alpha = 4.414 (weeks), a = 0.793, b = 2.426
    params = fit_bgnbd(cdnow["x"], cdnow["t_x"] / 7, cdnow["T"] / 7)
    assert params.r == pytest.approx(0.243, rel=0.01)
    assert params.alpha == pytest.approx(4.414, rel=0.01)
    assert params.a == pytest.approx(0.793, rel=0.01)
    assert params.b == pytest.approx(2.426, rel=0.01)


def test_cdnow_fit_in_days_only_rescales_alpha(cdnow):
    # alpha is a time scale: in days it is 7 x the weekly 4.414 = 30.9; r, a, b unchanged
    params = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert params.alpha == pytest.approx(7 * 4.414, rel=0.01)
    assert (params.r, params.a, params.b) == pytest.approx((0.243, 0.793, 2.426), rel=0.01)


def test_cdnow_gamma_gamma_fit_reproduces_the_published_parameters(cdnow):
    # Repeat customers (946), spend averaged over repeat purchase days: p=6.25, q=3.74, v=15.44
    repeat = cdnow[cdnow["x"] > 0]
    params = fit_gamma_gamma(repeat["x"], repeat["repeat_spend"])
    assert params.p == pytest.approx(6.25, rel=0.01)
    assert params.q == pytest.approx(3.74, rel=0.01)
    assert params.v == pytest.approx(15.44, rel=0.01)


def simulate_bgnbd(params: BgNbdParams, customers: int, T: float, seed: int):
    """Purchase histories drawn from the BG/NBD story (FHL 2005, section 3)."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(params.r, 1 / params.alpha, customers)
    dropouts = rng.beta(params.a, params.b, customers)
    x, t_x = np.zeros(customers), np.zeros(customers)
    for i in range(customers):
        now = 0.0
        while True:
            now += rng.exponential(1 / rates[i])
            if now > T:
                break
            x[i] += 1
            t_x[i] = now
            if rng.random() < dropouts[i]:
                break
    return x, t_x, np.full(customers, T)


def test_fit_recovers_the_parameters_it_simulated():
    truth = BgNbdParams(r=0.5, alpha=20.0, a=0.8, b=2.5)
    x, t_x, T = simulate_bgnbd(truth, customers=4000, T=365.0, seed=7)
    fitted = fit_bgnbd(x, t_x, T)
    assert fitted.r == pytest.approx(truth.r, rel=0.15)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.25)
    assert fitted.a == pytest.approx(truth.a, rel=0.3)
    assert fitted.b == pytest.approx(truth.b, rel=0.3)


def test_fit_without_any_repeat_purchase_fails_cleanly():
    # Nobody ever bought twice: there is no repeat behaviour to fit.
    with pytest.raises(FitFailed):
        fit_bgnbd(np.zeros(50), np.zeros(50), np.linspace(10, 300, 50))


def test_fit_without_spread_between_customers_still_predicts():
    # Every customer buys every 20 days and nobody drops out: rates have no spread, so
    # r and alpha run towards infinity together (r / alpha = 1/20 a day). The bounded fit
    # must still give finite predictions near the limit: about 90 / 20 = 4.5 orders in 90
    # days for a customer seen buying recently.
    customers = 60
    T = np.linspace(100, 300, customers)
    x = np.floor(T / 20)
    t_x = x * 20
    params = fit_bgnbd(x, t_x, T)
    expected = expected_orders(params, x, t_x, T, 90)
    assert np.all(np.isfinite(expected))
    assert expected[-1] == pytest.approx(4.5, rel=0.1)


def test_gamma_gamma_without_repeat_spend_fails_cleanly():
    with pytest.raises(FitFailed):
        fit_gamma_gamma([0, 0], [0, 0])
