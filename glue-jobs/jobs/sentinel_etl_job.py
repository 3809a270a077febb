"""AWS Glue 5.0 script of the Sentinel ETL job.

Glue runs this file as the job's ScriptLocation; the `sentinel_etl` package arrives through
`--extra-py-files` (the wheel built from glue-jobs/), its third-party dependencies through
`--additional-python-modules` (glue-jobs/requirements-glue.txt, as wheels in the artifacts bucket) and the
tokenization library through `--extra-jars`. Locally the same script runs on a plain Spark session:

    .venv/bin/python glue-jobs/jobs/sentinel_etl_job.py --JOB_NAME sentinel-etl-card-transactions \\
        --run_date 2025-01-31 --input_prefix raw/ --profile card-transactions ...

Artifact integrity: before anything from the wheel is imported, this script checks the SHA-256 of every
artifact named in the non-overridable `--artifact_digests` argument (a JSON object, URI -> hex digest,
written by Terraform from the built files: wheel, dependency wheels, jar, profile configs, mapping) and
stops naming the first object that differs. The check lives here, with only the standard library and
boto3, because code inside a replaced wheel would check nothing. This script cannot check itself: the
artifacts bucket's writer allow-list and CloudTrail's data events on it cover the script object.
"""

import hashlib
import json
import sys

DIGESTS_ARGUMENT = "--artifact_digests"


class ArtifactDigestError(RuntimeError):
    """An artifact the job trusts is not the one Terraform deployed."""


def _argument(argv, name):
    for i, token in enumerate(argv):
        if token == name and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith(name + "="):
            return token.split("=", 1)[1]
    return None


def _read(uri):
    if uri.startswith(("s3://", "s3a://")):
        import boto3

        bucket, _, key = uri.split("://", 1)[1].partition("/")
        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with open(uri, "rb") as handle:
        return handle.read()


def verify_artifacts(argv, read=_read):
    """Checks every digest in --artifact_digests; returns the map (None when the argument is absent)."""
    given = _argument(argv, DIGESTS_ARGUMENT)
    if given is None:
        return None
    try:
        digests = json.loads(given)
    except ValueError as exc:
        raise ArtifactDigestError(f"{DIGESTS_ARGUMENT} is not a JSON object of URI -> SHA-256: {exc}") from exc
    if not isinstance(digests, dict) or not digests:
        raise ArtifactDigestError(f"{DIGESTS_ARGUMENT} must be a non-empty JSON object of URI -> SHA-256")
    for uri, expected in sorted(digests.items()):
        try:
            data = read(uri)
        except Exception as exc:  # a missing artifact is as untrustworthy as a changed one
            raise ArtifactDigestError(f"artifact {uri} could not be read to check its SHA-256: {exc}") from exc
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise ArtifactDigestError(
                f"artifact {uri} has SHA-256 {actual}, but the deployment recorded {expected}: "
                "it was replaced after deployment; the job stops before using it"
            )
    return digests


if __name__ == "__main__":
    verify_artifacts(sys.argv)
    from sentinel_etl.glue_entry import main

    main()
