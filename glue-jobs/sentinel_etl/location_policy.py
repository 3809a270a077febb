"""Where a run may read and write, derived from environment, account and profile; anything else is refused.

A run's location arguments are chosen by whoever starts it (the trigger, or anyone with
glue:StartJobRun), so the job does not trust them: before it reads a row it derives, from its
non-overridable `--environment` and `--account_id` (or STS) and the run's `--profile`, the one place
each location may be, and refuses the run when any argument points elsewhere. A quarantine location
under `processed/` would otherwise publish raw rows where data scientists read.

Bucket names follow modules/storage/platform-buckets.ts (`sentinel-<environment>-<tier>-<account id>`)
and prefixes contracts/data-layout.ts; test/contracts/location-policy-contract.test.ts checks that every
URI template the stacks give the job falls inside what this module allows, so the two cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_RUN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def bucket_name(environment: str, tier: str, account_id: str) -> str:
    """modules/storage/platform-buckets.ts `platformBucketName(sentinel-<environment>, tier, account)`."""
    return f"sentinel-{environment}-{tier}-{account_id}"


@dataclass(frozen=True)
class LocationRule:
    """A location argument's bucket tier and key: `exact` locations must equal the derived URI, prefix
    locations must lie under it (per-run parts such as the run date or run id follow)."""

    tier: str
    key: str
    exact: bool


#: job argument -> where it may point; `{profile}` and `{run_date}` are the run's own values.
LOCATION_RULES: Mapping[str, LocationRule] = {
    "input_prefix": LocationRule("raw", "landing/{profile}/", exact=False),
    "quarantine_location": LocationRule("raw", "quarantine/{profile}/", exact=True),
    "output_location": LocationRule("processed", "processed/{profile}/", exact=True),
    "config_location": LocationRule("artifacts", "config/profiles/{profile}.json", exact=True),
    "state_location": LocationRule("artifacts", "state/{profile}/", exact=True),
    "key_location": LocationRule("artifacts", "keys/{profile}/data-key.json", exact=True),
    "mapping_location": LocationRule("artifacts", "reference/mcc-mapping.csv", exact=True),
    "metrics_location": LocationRule("lineage-audit", "run-metrics/{profile}/{run_date}/", exact=False),
}


class LocationRefusedError(ValueError):
    """A location argument points outside what the run's environment, account and profile allow."""

    def __init__(self, argument: str, given: str, allowed: str, exact: bool) -> None:
        self.argument = argument
        self.given = given
        self.allowed = allowed
        how = "must be exactly" if exact else "must be under"
        super().__init__(f"--{argument} {given!r} is refused: it {how} {allowed} (derived from --environment, the account and --profile)")


@dataclass(frozen=True)
class RunScope:
    """What the allowed locations are derived from; the environment and account are not the run's choice."""

    environment: str
    account_id: str
    profile: str
    run_date: str

    def __post_init__(self) -> None:
        for name, value, pattern in (
            ("--environment", self.environment, _NAME),
            ("the account id", self.account_id, _ACCOUNT),
            ("--profile", self.profile, _NAME),
            ("--run_date", self.run_date, _RUN_DATE),
        ):
            if not pattern.match(value):
                raise ValueError(f"{name} {value!r} is not valid (must match {pattern.pattern})")

    def allowed(self, argument: str) -> str:
        rule = LOCATION_RULES[argument]
        key = rule.key.format(profile=self.profile, run_date=self.run_date)
        return f"s3://{bucket_name(self.environment, rule.tier, self.account_id)}/{key}"

    def check(self, argument: str, given: str | None) -> None:
        """Raises LocationRefusedError unless `given` is where `argument` may point (None: not given, fine)."""
        if given is None:
            return
        rule = LOCATION_RULES[argument]
        allowed = self.allowed(argument)
        normalised = given.replace("s3a://", "s3://", 1) if given.startswith("s3a://") else given
        # No '..', '.', empty or encoded segments: S3 keys are literal, but Hadoop paths and humans are not.
        suffix = normalised[len(allowed) :]
        if any(segment in ("..", ".") for segment in suffix.split("/")) or "//" in suffix or "%" in normalised:
            raise LocationRefusedError(argument, given, allowed, rule.exact)
        ok = normalised.rstrip("/") == allowed.rstrip("/") if rule.exact else normalised.startswith(allowed)
        if not ok:
            raise LocationRefusedError(argument, given, allowed, rule.exact)

    def check_all(self, locations: Mapping[str, str | None]) -> None:
        """Checks every location argument the policy knows; an unknown name is a programming error."""
        unknown = set(locations) - set(LOCATION_RULES)
        if unknown:
            raise KeyError(f"no location rule for {sorted(unknown)}")
        for argument, given in locations.items():
            self.check(argument, given)
