def test_local_session_runs_spark_3_5_4_in_utc(spark):
    assert spark.version == "3.5.4"
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.range(10).count() == 10
