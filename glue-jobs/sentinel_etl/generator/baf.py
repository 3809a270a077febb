"""Seeded synthetic rows in the Bank Account Fraud (BAF) layout, with planted fraud.

The 32 columns, their ranges and -1-means-missing conventions follow the BAF datasheet (Jesus et
al., "Turning the Tables: Biased, Imbalanced, Dynamic Tabular Datasets for ML Evaluation", NeurIPS
2022). Marginals are approximations of the published Base variant; the real files cannot be
downloaded here. Fraudulent applications (about 1.1%, `fraud_bool = 1`) are drawn from shifted
distributions that mirror the dataset's strongest fraud signals: older applicants, low name/e-mail
similarity, free e-mail providers, no valid home phone, Windows devices, short-lived sessions not
kept alive, higher proposed credit limits, more foreign requests and several e-mails per device.

`application_id` is a surrogate row key (the published files have none): the profile needs a
unique record id for duplicate detection and row-level lineage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BAF_COLUMNS = [
    "fraud_bool",
    "income",
    "name_email_similarity",
    "prev_address_months_count",
    "current_address_months_count",
    "customer_age",
    "days_since_request",
    "intended_balcon_amount",
    "payment_type",
    "zip_count_4w",
    "velocity_6h",
    "velocity_24h",
    "velocity_4w",
    "bank_branch_count_8w",
    "date_of_birth_distinct_emails_4w",
    "employment_status",
    "credit_risk_score",
    "email_is_free",
    "housing_status",
    "phone_home_valid",
    "phone_mobile_valid",
    "bank_months_count",
    "has_other_cards",
    "proposed_credit_limit",
    "foreign_request",
    "source",
    "session_length_in_minutes",
    "device_os",
    "keep_alive_session",
    "device_distinct_emails_8w",
    "device_fraud_count",
    "month",
]
COLUMNS = ["application_id", *BAF_COLUMNS]


def _pick(rng: np.random.Generator, values: list, weights: list[float], n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p / p.sum())]


def _flag(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    return (rng.random(n) < p).astype(np.int64)


def _missing(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(values)) < share, -1, values)


def generate(rows: int, seed: int, fraud_rate: float = 0.011) -> pd.DataFrame:
    """`rows` applications, deterministic for a given seed."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = np.random.default_rng(seed)
    n = rows
    fraud = _flag(rng, fraud_rate, n)
    is_fraud = fraud == 1

    def by_class(legit: np.ndarray, fraudulent: np.ndarray) -> np.ndarray:
        return np.where(is_fraud, fraudulent, legit)

    age_deciles = [10, 20, 30, 40, 50, 60, 70, 80, 90]
    frame = pd.DataFrame(
        {
            "application_id": np.char.add("baf-", np.char.zfill(np.arange(1, n + 1).astype(str), 9)).astype(object),
            "fraud_bool": fraud,
            "income": by_class(
                _pick(rng, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], [11, 8, 8, 7, 6, 8, 10, 15, 22], n),
                _pick(rng, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], [6, 5, 6, 6, 6, 8, 11, 18, 29], n),
            ).astype(float),
            "name_email_similarity": np.round(by_class(rng.beta(2.2, 2.0, n), rng.beta(1.2, 3.0, n)), 6),
            "prev_address_months_count": np.where(rng.random(n) < 0.7, -1, np.clip(rng.lognormal(3.0, 1.0, n), 5, 383).astype(int)),
            "current_address_months_count": _missing(rng, np.clip(rng.gamma(1.5, 60, n), 0, 428).astype(int), 0.005),
            "customer_age": by_class(
                _pick(rng, age_deciles, [2, 24, 30, 24, 13, 5, 1.5, 0.4, 0.1], n),
                _pick(rng, age_deciles, [0.5, 10, 22, 25, 24, 13, 4, 1, 0.5], n),
            ).astype(int),
            "days_since_request": np.round(
                np.clip(np.where(rng.random(n) < 0.97, rng.exponential(1.0, n), rng.exponential(15, n)), 0, 78), 6
            ),
            "intended_balcon_amount": np.round(
                np.where(rng.random(n) < 0.74, -rng.uniform(0.5, 16, n), np.clip(rng.lognormal(3.3, 0.6, n), 0, 114)), 6
            ),
            "payment_type": _pick(rng, ["AA", "AB", "AC", "AD", "AE"], [25, 37, 25, 12, 1], n),
            "zip_count_4w": np.clip(rng.lognormal(7.2, 0.6, n), 1, 6830).astype(int),
            "velocity_6h": np.round(np.clip(rng.normal(5600, 3000, n), -170, 16800), 4),
            "velocity_24h": np.round(np.clip(rng.normal(4770, 1480, n), 1300, 9600), 4),
            "velocity_4w": np.round(np.clip(rng.normal(4850, 920, n), 2800, 7000), 4),
            "bank_branch_count_8w": np.where(rng.random(n) < 0.4, 0, np.clip(rng.lognormal(4.5, 1.5, n), 1, 2400)).astype(int),
            "date_of_birth_distinct_emails_4w": by_class(rng.poisson(9, n), rng.poisson(6, n)).clip(0, 39),
            "employment_status": _pick(rng, ["CA", "CB", "CC", "CD", "CE", "CF", "CG"], [73, 14, 4, 3, 2, 4, 0.05], n),
            "credit_risk_score": by_class(rng.normal(130, 70, n), rng.normal(185, 70, n)).clip(-191, 389).astype(int),
            "email_is_free": by_class(_flag(rng, 0.53, n), _flag(rng, 0.72, n)),
            "housing_status": by_class(
                _pick(rng, ["BA", "BB", "BC", "BD", "BE", "BF", "BG"], [17, 26, 37, 3, 17, 0.2, 0.03], n),
                _pick(rng, ["BA", "BB", "BC", "BD", "BE", "BF", "BG"], [45, 18, 20, 4, 13, 0.2, 0.03], n),
            ),
            "phone_home_valid": by_class(_flag(rng, 0.42, n), _flag(rng, 0.22, n)),
            "phone_mobile_valid": by_class(_flag(rng, 0.89, n), _flag(rng, 0.85, n)),
            "bank_months_count": np.where(rng.random(n) < 0.25, -1, rng.integers(1, 33, n)),
            "has_other_cards": by_class(_flag(rng, 0.22, n), _flag(rng, 0.08, n)),
            "proposed_credit_limit": by_class(
                _pick(rng, [200, 500, 1000, 1500, 2000], [45, 30, 13, 9, 3], n),
                _pick(rng, [200, 500, 1000, 1500, 2000], [20, 25, 20, 25, 10], n),
            ).astype(float),
            "foreign_request": by_class(_flag(rng, 0.025, n), _flag(rng, 0.06, n)),
            "source": _pick(rng, ["INTERNET", "TELEAPP"], [99.3, 0.7], n),
            "session_length_in_minutes": np.round(
                _missing(rng, by_class(np.clip(rng.lognormal(1.6, 0.9, n), 0, 107), np.clip(rng.lognormal(2.0, 0.9, n), 0, 107)), 0.002), 6
            ),
            "device_os": by_class(
                _pick(rng, ["other", "linux", "windows", "macintosh", "x11"], [34, 33, 26, 6, 0.7], n),
                _pick(rng, ["other", "linux", "windows", "macintosh", "x11"], [20, 15, 58, 6, 1], n),
            ),
            "keep_alive_session": by_class(_flag(rng, 0.58, n), _flag(rng, 0.3, n)),
            "device_distinct_emails_8w": by_class(
                _pick(rng, [-1, 0, 1, 2], [0.04, 0.3, 97, 2.5], n), _pick(rng, [-1, 0, 1, 2], [0.1, 0.3, 88, 12], n)
            ).astype(int),
            "device_fraud_count": np.zeros(n, dtype=np.int64),
            "month": _pick(rng, list(range(8)), [13, 12, 12, 14, 13, 12, 12, 12], n).astype(int),
        }
    )
    return frame[COLUMNS]
