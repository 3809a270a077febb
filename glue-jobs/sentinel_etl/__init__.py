"""Sentinel ETL: pure DataFrame -> DataFrame transformations run by the Glue entry points."""
