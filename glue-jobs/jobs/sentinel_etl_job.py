"""AWS Glue 5.0 script of the Sentinel ETL job.

Glue runs this file as the job's ScriptLocation; the `sentinel_etl` package arrives through
`--extra-py-files` (the wheel built from glue-jobs/) and its third-party dependencies through
`--additional-python-modules` (glue-jobs/requirements-glue.txt, as wheels in the artifacts bucket).
Locally the same script runs on a plain Spark session:

    .venv/bin/python glue-jobs/jobs/sentinel_etl_job.py --JOB_NAME sentinel-etl-card-transactions \\
        --run_date 2025-01-31 --input_prefix raw/ --profile card-transactions ...
"""
from sentinel_etl.glue_entry import main

if __name__ == "__main__":
    main()
