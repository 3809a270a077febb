"""Run-scoped staging: output becomes visible only after the whole run succeeded.

Spark writes each tier (processed, quarantine) under `<location>/_staging/<run_id>/`; readers skip
`_`-prefixed folders (Spark, Hive and Athena treat them as hidden). After the counts have been
verified, `publish` moves every data file into `<location>/<partition>/` with the run id in its name,
so later runs on the same ingestion date add files instead of replacing earlier ones. A failed run
discards its staging folder and publishes nothing.

Files are moved with the Hadoop FileSystem API of the running Spark session: a rename on local disks
and HDFS, and a server-side copy on S3 (Glue's EMRFS), with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession

from sentinel_etl import storage
from sentinel_etl.jvm_gateway import jvm_gateway

PARTITION_COLUMN = "ingestion_date"
STAGING_FOLDER = "_staging"


@dataclass
class StagedTier:
    """One output tier of one run: where it is staged and where it is published."""

    spark: SparkSession
    location: str
    run_id: str
    published_files: list[str] = field(default_factory=list)

    @property
    def staging_uri(self) -> str:
        return storage.join(self.location, STAGING_FOLDER, self.run_id)

    def _fs(self, uri: str):
        jvm = jvm_gateway(self.spark)
        path = jvm.org.apache.hadoop.fs.Path(uri)
        return path, path.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration())

    def write(self, frame: DataFrame) -> None:
        """Writes the frame as Parquet partitioned by ingestion date into this run's staging folder."""
        frame.write.mode("overwrite").partitionBy(PARTITION_COLUMN).parquet(self.staging_uri)

    def staged_files(self) -> list[tuple[str, str]]:
        """(partition folder, file name) of every staged data file."""
        root, fs = self._fs(self.staging_uri)
        if not fs.exists(root):
            return []
        root_text = fs.makeQualified(root).toString().rstrip("/")
        found = []
        iterator = fs.listFiles(root, True)
        while iterator.hasNext():
            path = iterator.next().getPath()
            name = path.getName()
            if name.startswith(("_", ".")):
                continue
            partition = path.getParent().toString()[len(root_text) :].strip("/")
            found.append((partition, name))
        return sorted(found)

    def staged_rows(self) -> int:
        """Rows in the staged Parquet files (read from the footers)."""
        if not self.staged_files():
            return 0
        return self.spark.read.parquet(self.staging_uri).count()

    def staged_frame(self) -> DataFrame | None:
        return self.spark.read.parquet(self.staging_uri) if self.staged_files() else None

    def publish(self) -> list[str]:
        """Moves staged files into their partitions; returns the partitions written to."""
        partitions = set()
        _, fs = self._fs(self.location)
        jvm = jvm_gateway(self.spark)
        for partition, name in self.staged_files():
            source = jvm.org.apache.hadoop.fs.Path(storage.join(self.staging_uri, partition, name))
            target_dir = jvm.org.apache.hadoop.fs.Path(storage.join(self.location, partition))
            fs.mkdirs(target_dir)
            target = jvm.org.apache.hadoop.fs.Path(target_dir, f"{self.run_id}-{name}")
            if not fs.rename(source, target):
                raise OSError(f"could not move staged file {source.toString()} to {target.toString()}")
            self.published_files.append(target.toString())
            partitions.add(partition)
        self.discard()
        return sorted(partitions)

    def discard(self) -> None:
        """Deletes this run's staging folder (after publishing, or after a failure)."""
        root, fs = self._fs(self.staging_uri)
        if fs.exists(root):
            fs.delete(root, True)
        staging_parent, parent_fs = self._fs(storage.join(self.location, STAGING_FOLDER))
        if parent_fs.exists(staging_parent) and len(parent_fs.listStatus(staging_parent)) == 0:
            parent_fs.delete(staging_parent, False)
