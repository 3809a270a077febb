/**
 * How local Spark reads and writes the emulator's S3 with the job's own s3:// URIs: Hadoop's S3A file
 * system (hadoop-aws 3.3.4, the version matching pyspark 3.5's Hadoop client, and the AWS SDK bundle it
 * depends on, resolved from Maven Central once into the Sentinel cache) registered for the s3 scheme, as
 * Glue's EMRFS is, with path-style requests to the loopback endpoint and credentials from the
 * environment. Passed through PYSPARK_SUBMIT_ARGS, so the job's own session builder stays untouched.
 */
import { join } from "node:path";
import { cacheRoot } from "../../tools/cache-root";

export const HADOOP_AWS_PACKAGE = "org.apache.hadoop:hadoop-aws:3.3.4";

/** Ivy cache for spark.jars.packages: ~/.cache/sentinel/ivy (outside the repository, reused by every run). */
export function ivyCache(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), "ivy");
}

export function sparkS3Conf(endpoint: string, region: string): Record<string, string> {
  return {
    "spark.jars.ivy": ivyCache(),
    "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
    "spark.hadoop.fs.s3a.endpoint": endpoint,
    "spark.hadoop.fs.s3a.endpoint.region": region,
    "spark.hadoop.fs.s3a.path.style.access": "true",
    "spark.hadoop.fs.s3a.connection.ssl.enabled": String(endpoint.startsWith("https:")),
    "spark.hadoop.fs.s3a.aws.credentials.provider": "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
    // the emulator answers at once; fail fast instead of S3A's long default retries
    "spark.hadoop.fs.s3a.attempts.maximum": "3",
    "spark.hadoop.fs.s3a.retry.limit": "3",
  };
}

/** Quoted for PYSPARK_SUBMIT_ARGS, which pyspark splits like a shell (shlex). */
function shellQuoted(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'"'"'`)}'`;
}

/**
 * PYSPARK_SUBMIT_ARGS for a Python process whose SparkSession should talk to the emulator's S3; `driverJavaOptions`
 * (e.g. the trust store with the emulator's certificate, local/emulator/loopback-tls.ts) go to the driver JVM, which is also the one pyspark starts.
 */
export function pysparkSubmitArgs(endpoint: string, region: string, driverJavaOptions?: string, jars: readonly string[] = []): string {
  const conf = Object.entries(sparkS3Conf(endpoint, region)).flatMap(([key, value]) => ["--conf", shellQuoted(`${key}=${value}`)]);
  const java = driverJavaOptions === undefined ? [] : ["--driver-java-options", shellQuoted(driverJavaOptions)];
  // local files (the job's --extra-jars, downloaded): on the driver's classpath and shipped to executors
  const jarList = jars.length === 0 ? [] : ["--jars", shellQuoted(jars.join(","))];
  return [...["--packages", HADOOP_AWS_PACKAGE], ...jarList, ...java, ...conf, "pyspark-shell"].join(" ");
}
