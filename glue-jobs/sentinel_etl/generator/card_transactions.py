"""Seeded synthetic card transactions in the `card-transactions` raw layout, with planted fraud.

Legitimate traffic: customers with heavy-tailed activity (log-normal weights), one card each (16-digit
PAN with a valid Luhn check digit), a home country and currency, merchants with one ISO 18245 MCC
each, log-normal amounts per MCC, a diurnal time-of-day profile, and channels that follow the MCC.

Fraud (about `fraud_rate` of the rows, labelled `is_fraud = 1`) is planted as episodes on a victim's
card, each from a new device:

* account takeover: 4-12 high-value purchases of resellable goods (electronics, jewellery, digital
  goods, quasi-cash) at merchants the victim never used, abroad, online, within 1-3 hours;
* card testing: 8-25 tiny online charges (0.50-2.00) within 15 minutes, then 1-2 large purchases;
* cash-out: 3-8 ATM withdrawals or money transfers of 300-1000 at night, abroad, within 2 hours.

Each gives velocity spikes (txn_count_1h) and unusual amounts that the features and the isolation
forest can pick up.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

COLUMNS = [
    "transaction_id",
    "event_timestamp",
    "customer_id",
    "account_number",
    "email",
    "first_name",
    "last_name",
    "device_id",
    "amount",
    "currency",
    "merchant_id",
    "mcc",
    "merchant_country",
    "channel",
    "is_fraud",
]

# (MCC, share of legitimate transactions, median amount, log-normal sigma)
LEGITIMATE_MCCS = [
    ("5411", 0.20, 38.0, 0.8),  # grocery stores
    ("5812", 0.11, 32.0, 0.7),  # restaurants
    ("5814", 0.10, 11.0, 0.5),  # fast food
    ("5541", 0.07, 55.0, 0.5),  # service stations
    ("5311", 0.05, 60.0, 0.9),  # department stores
    ("5912", 0.05, 22.0, 0.7),  # pharmacies
    ("5999", 0.06, 35.0, 1.0),  # miscellaneous retail
    ("4111", 0.05, 4.5, 0.6),  # commuter transport
    ("4121", 0.03, 18.0, 0.6),  # taxis
    ("5651", 0.04, 65.0, 0.8),  # family clothing
    ("5818", 0.04, 9.0, 0.9),  # digital goods
    ("4814", 0.03, 40.0, 0.4),  # telecom services
    ("4900", 0.02, 85.0, 0.5),  # utilities
    ("6011", 0.04, 100.0, 0.6),  # ATM cash
    ("5732", 0.02, 180.0, 0.9),  # electronics
    ("7011", 0.02, 140.0, 0.7),  # hotels
    ("4511", 0.01, 320.0, 0.7),  # airlines
    ("5944", 0.004, 250.0, 1.0),  # jewellery
    ("7995", 0.004, 30.0, 1.0),  # betting
    ("4829", 0.004, 150.0, 0.9),  # money transfer
    ("8398", 0.004, 25.0, 0.8),  # charities
    ("3301", 0.002, 45.0, 0.8),  # a code the shipped MCC mapping does not cover: exercises the fallback
]
TAKEOVER_MCCS = ["5732", "5944", "5818", "6051"]
TESTING_MCCS = ["5818", "8398", "5999"]
CASH_OUT_MCCS = ["6011", "4829"]
# (country, currency, share of customers)
COUNTRIES = [("DE", "EUR", 0.30), ("FR", "EUR", 0.20), ("GB", "GBP", 0.15), ("US", "USD", 0.15), ("CH", "CHF", 0.10), ("NL", "EUR", 0.10)]
FOREIGN_FOR_FRAUD = ["NG", "RU", "BR", "ID", "RO", "US", "GB"]
ISSUER_PREFIXES = ["4000", "4111", "4532", "5100", "5425", "2221"]
FIRST_NAMES = [
    "anna",
    "ben",
    "clara",
    "david",
    "elena",
    "farid",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "karin",
    "luca",
    "maria",
    "noah",
    "olga",
    "paul",
    "quinn",
    "rosa",
    "sami",
    "tara",
    "umar",
    "vera",
    "wen",
    "xavier",
    "yara",
    "zoe",
    "amir",
    "bea",
    "chen",
    "dora",
    "emil",
    "fatima",
    "gio",
    "hana",
    "ivan",
    "julia",
    "kofi",
    "lea",
    "milan",
    "nina",
]
LAST_NAMES = [
    "muller",
    "schmidt",
    "martin",
    "bernard",
    "smith",
    "jones",
    "rossi",
    "garcia",
    "nowak",
    "jansen",
    "meier",
    "dubois",
    "brown",
    "weber",
    "moreau",
    "taylor",
    "keller",
    "fischer",
    "lopez",
    "novak",
    "peeters",
    "wagner",
    "schneider",
    "becker",
    "lambert",
    "evans",
    "costa",
    "silva",
    "kowalski",
    "horvat",
]
EMAIL_DOMAINS = ["mail.example", "post.example", "inbox.example", "webmail.example"]
# Share of transactions per hour of day (UTC), peaking at lunch and in the early evening.
HOURLY = np.array([1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4, 4.5, 5, 6, 7.5, 6.5, 5.5, 5.5, 6, 7, 7.5, 7, 6, 4.5, 3, 1.8])
HOURLY = HOURLY / HOURLY.sum()


def _luhn_digits(body: np.ndarray) -> np.ndarray:
    """Check digit for each row of a (n, 15) digit array (ISO/IEC 7812 Luhn)."""
    doubled = body[:, ::-1].copy()
    doubled[:, ::2] *= 2
    doubled[doubled > 9] -= 9
    return (10 - doubled.sum(axis=1) % 10) % 10


def _hex_ids(rng: np.random.Generator, n: int, nbytes: int) -> np.ndarray:
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    return np.array([row.tobytes().hex() for row in raw], dtype=object)


def _unique_transaction_ids(rng: np.random.Generator, n: int) -> list[str]:
    ids = rng.integers(0, np.iinfo(np.int64).max, size=n, dtype=np.int64)
    while len(np.unique(ids)) < n:  # a 63-bit collision is rare; redraw the repeats until there is none
        _, first = np.unique(ids, return_index=True)
        repeats = np.setdiff1d(np.arange(n), first)
        ids[repeats] = rng.integers(0, np.iinfo(np.int64).max, size=len(repeats), dtype=np.int64)
    return [f"tx-{i:016x}" for i in ids.tolist()]


def _customers(rng: np.random.Generator, count: int) -> pd.DataFrame:
    country_index = rng.choice(len(COUNTRIES), size=count, p=[c[2] for c in COUNTRIES])
    digits = rng.integers(0, 10, size=(count, 15))
    prefixes = np.array([[int(ch) for ch in p] for p in ISSUER_PREFIXES])[rng.integers(0, len(ISSUER_PREFIXES), size=count)]
    digits[:, :4] = prefixes
    pans = np.concatenate([digits, _luhn_digits(digits)[:, None]], axis=1)
    first = np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), size=count)]
    last = np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), size=count)]
    numbers = rng.integers(1, 999, size=count).astype(str)
    domains = np.array(EMAIL_DOMAINS, dtype=object)[rng.integers(0, len(EMAIL_DOMAINS), size=count)]
    emails = pd.Series(first) + "." + pd.Series(last) + numbers + "@" + domains
    emails[rng.random(count) < 0.04] = None
    devices = pd.Series(_hex_ids(rng, count, 16))
    devices = devices.str[:8] + "-" + devices.str[8:12] + "-" + devices.str[12:16] + "-" + devices.str[16:20] + "-" + devices.str[20:]
    return pd.DataFrame(
        {
            "customer_id": np.char.add("cust-", np.char.zfill(rng.permutation(count * 7)[:count].astype(str), 8)).astype(object),
            "account_number": ["".join(map(str, row)) for row in pans],
            "email": emails.to_numpy(),
            "first_name": [f.capitalize() for f in first],
            "last_name": [name.capitalize() for name in last],
            "device_id": devices.to_numpy(),
            "country": np.array([COUNTRIES[i][0] for i in country_index], dtype=object),
            "currency": np.array([COUNTRIES[i][1] for i in country_index], dtype=object),
            "activity": rng.lognormal(0.0, 1.0, size=count),
        }
    )


def _merchants(rng: np.random.Generator, count: int) -> pd.DataFrame:
    mcc_index = rng.choice(
        len(LEGITIMATE_MCCS), size=count, p=np.array([m[1] for m in LEGITIMATE_MCCS]) / sum(m[1] for m in LEGITIMATE_MCCS)
    )
    return pd.DataFrame(
        {
            "merchant_id": np.char.add("m-", np.char.zfill(np.arange(count).astype(str), 6)).astype(object),
            "mcc_index": mcc_index,
            "popularity": rng.pareto(1.2, size=count) + 1.0,
        }
    )


def _times(rng: np.random.Generator, n: int, start: datetime, days: int) -> np.ndarray:
    day = rng.integers(0, days, size=n)
    hour = rng.choice(24, size=n, p=HOURLY)
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, size=n)
    return np.datetime64(start.replace(tzinfo=None), "s") + seconds.astype("timedelta64[s]")


def _legitimate(
    rng: np.random.Generator, n: int, customers: pd.DataFrame, merchants: pd.DataFrame, start: datetime, days: int
) -> pd.DataFrame:
    who = rng.choice(len(customers), size=n, p=(customers["activity"] / customers["activity"].sum()).to_numpy())
    mcc_weights = np.array([m[1] for m in LEGITIMATE_MCCS])
    mcc_index = rng.choice(len(LEGITIMATE_MCCS), size=n, p=mcc_weights / mcc_weights.sum())
    # A merchant of the drawn MCC, weighted by popularity.
    merchant_ids = np.empty(n, dtype=object)
    for i in range(len(LEGITIMATE_MCCS)):
        rows = np.flatnonzero(mcc_index == i)
        pool = merchants[merchants["mcc_index"] == i]
        if pool.empty:
            pool = merchants
        weights = pool["popularity"].to_numpy() / pool["popularity"].sum()
        merchant_ids[rows] = pool["merchant_id"].to_numpy()[rng.choice(len(pool), size=len(rows), p=weights)]
    medians = np.array([m[2] for m in LEGITIMATE_MCCS])[mcc_index]
    sigmas = np.array([m[3] for m in LEGITIMATE_MCCS])[mcc_index]
    amounts = np.round(rng.lognormal(np.log(medians), sigmas), 2)
    mccs = np.array([m[0] for m in LEGITIMATE_MCCS], dtype=object)[mcc_index]
    amounts = np.where(mccs == "6011", np.clip(np.round(amounts / 20) * 20, 20, 1000), np.maximum(amounts, 0.5))
    channel = rng.choice(["card_present", "contactless", "ecommerce"], size=n, p=[0.5, 0.35, 0.15]).astype(object)
    channel[np.isin(mccs, ["5818", "4814", "4900"])] = "ecommerce"
    channel[mccs == "6011"] = "atm"
    person = customers.iloc[who].reset_index(drop=True)
    abroad = rng.random(n) < 0.05
    foreign = np.array([c[0] for c in COUNTRIES], dtype=object)[rng.integers(0, len(COUNTRIES), size=n)]
    device = person["device_id"].to_numpy().copy()
    device[channel != "ecommerce"] = None  # a device fingerprint exists only for online payments
    return pd.DataFrame(
        {
            "event_timestamp": _times(rng, n, start, days),
            "customer_id": person["customer_id"].to_numpy(),
            "account_number": person["account_number"].to_numpy(),
            "email": person["email"].to_numpy(),
            "first_name": person["first_name"].to_numpy(),
            "last_name": person["last_name"].to_numpy(),
            "device_id": device,
            "amount": amounts,
            "currency": person["currency"].to_numpy(),
            "merchant_id": merchant_ids,
            "mcc": mccs,
            "merchant_country": np.where(abroad, foreign, person["country"].to_numpy()),
            "channel": channel,
            "is_fraud": np.zeros(n, dtype=np.int64),
        }
    )


def _episode(
    rng: np.random.Generator, kind: str, victim: pd.Series, t0: np.datetime64, merchants: int, first_new_merchant: int
) -> dict[str, list]:
    if kind == "takeover":
        count, span = int(rng.integers(4, 13)), int(rng.integers(3600, 3 * 3600))
        mccs = rng.choice(TAKEOVER_MCCS, size=count)
        amounts = np.round(rng.lognormal(np.log(650), 0.6, size=count), 2)
        channels = ["ecommerce"] * count
    elif kind == "testing":
        probes, finals = int(rng.integers(8, 26)), int(rng.integers(1, 3))
        count, span = probes + finals, int(rng.integers(300, 900))
        mccs = np.concatenate([rng.choice(TESTING_MCCS, size=probes), rng.choice(TAKEOVER_MCCS, size=finals)])
        amounts = np.concatenate(
            [np.round(rng.uniform(0.5, 2.0, size=probes), 2), np.round(rng.lognormal(np.log(900), 0.4, size=finals), 2)]
        )
        channels = ["ecommerce"] * count
    else:  # cash-out
        count, span = int(rng.integers(3, 9)), int(rng.integers(1200, 7200))
        mccs = rng.choice(CASH_OUT_MCCS, size=count)
        amounts = np.round(rng.uniform(300, 1000, size=count) / 20) * 20
        channels = ["atm" if m == "6011" else "ecommerce" for m in mccs]
    offsets = np.sort(rng.integers(0, span, size=count)).astype("timedelta64[s]")
    new_merchants = first_new_merchant + rng.integers(0, max(merchants // 10, 5), size=count)
    country = rng.choice(FOREIGN_FOR_FRAUD)
    device = "-".join([rng.bytes(4).hex(), rng.bytes(2).hex(), rng.bytes(2).hex(), rng.bytes(2).hex(), rng.bytes(6).hex()])
    return {
        "event_timestamp": list(t0 + offsets),
        "customer_id": [victim["customer_id"]] * count,
        "account_number": [victim["account_number"]] * count,
        "email": [victim["email"]] * count,
        "first_name": [victim["first_name"]] * count,
        "last_name": [victim["last_name"]] * count,
        "device_id": [device if c == "ecommerce" else None for c in channels],
        "amount": list(amounts),
        "currency": [victim["currency"]] * count,
        "merchant_id": [f"m-{m:06d}" for m in new_merchants],
        "mcc": list(mccs),
        "merchant_country": [country] * count,
        "channel": channels,
        "is_fraud": [1] * count,
    }


def _fraud(rng: np.random.Generator, target_rows: int, customers: pd.DataFrame, merchants: int, start: datetime, days: int) -> pd.DataFrame:
    columns: dict[str, list] = {c: [] for c in COLUMNS if c != "transaction_id"}
    produced = 0
    base = np.datetime64(start.replace(tzinfo=None), "s")
    while produced < target_rows:
        kind = rng.choice(["takeover", "testing", "cash_out"], p=[0.5, 0.3, 0.2])
        victim = customers.iloc[int(rng.integers(0, len(customers)))]
        hour = int(rng.integers(0, 6)) if kind == "cash_out" else int(rng.choice(24, p=HOURLY))
        t0 = base + np.timedelta64(int(rng.integers(0, days)) * 86400 + hour * 3600, "s")
        episode = _episode(rng, kind, victim, t0, merchants, first_new_merchant=merchants)
        for name, values in episode.items():
            columns[name].extend(values)
        produced += len(episode["amount"])
    frame = pd.DataFrame(columns).iloc[:target_rows]
    frame["event_timestamp"] = frame["event_timestamp"].astype("datetime64[s]")
    return frame


def generate(rows: int, seed: int, start: datetime | None = None, days: int = 30, fraud_rate: float = 0.008) -> pd.DataFrame:
    """`rows` transactions in time order, deterministic for a given seed."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    start = start or datetime(2025, 1, 1, tzinfo=UTC)
    rng = np.random.default_rng(seed)
    customers = _customers(rng, max(10, rows // 40))
    merchant_count = max(20, rows // 200)
    merchants = _merchants(rng, merchant_count)
    fraud_rows = round(rows * fraud_rate) if rows >= 200 else 0
    legitimate = _legitimate(rng, rows - fraud_rows, customers, merchants, start, days)
    frames = [legitimate] if fraud_rows == 0 else [legitimate, _fraud(rng, fraud_rows, customers, merchant_count, start, days)]
    frame = pd.concat(frames, ignore_index=True).sort_values("event_timestamp", kind="stable").reset_index(drop=True)
    frame.insert(0, "transaction_id", _unique_transaction_ids(rng, len(frame)))
    frame["event_timestamp"] = np.char.add(np.datetime_as_string(frame["event_timestamp"].to_numpy("datetime64[s]"), unit="s"), "Z")
    return frame[COLUMNS]
