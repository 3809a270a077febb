/**
 * Glue's special job parameters (AWS Glue developer guide, "Using job parameters in AWS Glue jobs") that
 * configure the Glue runtime rather than the script. The local Glue runtime consumes them itself (or
 * reports that it does not apply them) and passes the script only its own parameters plus --JOB_NAME,
 * --JOB_RUN_ID and --job-bookmark-option, which Glue scripts read.
 */

/** Parameters the local runtime applies. */
export const APPLIED_LOCALLY = {
  /** Python libraries (the transformation package's wheel): downloaded and put on PYTHONPATH. */
  extraPyFiles: "--extra-py-files",
  /** Java libraries (the tokenization jar): downloaded and put on the Spark driver's classpath (--jars). */
  extraJars: "--extra-jars",
  /** Where continuous logging writes: the driver log is shipped to this log group after the run. */
  continuousLogGroup: "--continuous-log-logGroup",
  /** Glue 5.0 writes a job's logs to <prefix>/output and <prefix>/error: the driver log goes to <prefix>/output. */
  customLogGroupPrefix: "--custom-logGroup-prefix",
} as const;

/** Glue's default group for a job's continuous logs. */
const DEFAULT_LOG_GROUP = "/aws-glue/jobs/logs-v2";

/** The log group the driver log of a run with these arguments goes to, as Glue picks it. */
export function driverLogGroup(effective: Readonly<Record<string, string>>): string {
  const prefix = effective[APPLIED_LOCALLY.customLogGroupPrefix];
  return effective[APPLIED_LOCALLY.continuousLogGroup] ?? (prefix === undefined ? DEFAULT_LOG_GROUP : `${prefix}/output`);
}

/**
 * Parameters with no local effect: metrics, Spark UI, auto scaling and the catalog client are managed
 * Glue features; --additional-python-modules installs wheels whose pinned versions the project's .venv
 * already holds (requirements.txt), so nothing is installed at run time.
 */
export const NOT_APPLIED_LOCALLY: readonly string[] = [
  "--additional-python-modules",
  "--python-modules-installer-option",
  "--auto-scale-within-microbatch",
  "--class",
  "--conf",
  "--continuous-log-conversionPattern",
  "--continuous-log-logStreamPrefix",
  "--customer-driver-env-vars",
  "--customer-executor-env-vars",
  "--datalake-formats",
  "--disable-proxy-v2",
  "--enable-auto-scaling",
  "--enable-continuous-cloudwatch-log",
  "--enable-continuous-log-filter",
  "--enable-glue-datacatalog",
  "--enable-job-insights",
  "--enable-lakeformation-fine-grained-access",
  "--enable-metrics",
  "--enable-observability-metrics",
  "--enable-rename-algorithm-v2",
  "--enable-s3-parquet-optimized-committer",
  "--enable-spark-ui",
  "--encryption-type",
  "--executor-cores",
  "--extra-files",
  "--job-language",
  "--scriptLocation",
  "--spark-event-logs-path",
  "--TempDir",
  "--use-postgres-driver",
  "--user-jars-first",
];

const RUNTIME_ONLY = new Set<string>([...Object.values(APPLIED_LOCALLY), ...NOT_APPLIED_LOCALLY]);

/** The script's command line: Glue's identity arguments, then every parameter that is not runtime-only. */
export function scriptArguments(jobName: string, runId: string, effective: Readonly<Record<string, string>>): string[] {
  const argv = ["--JOB_NAME", jobName, "--JOB_RUN_ID", runId];
  for (const [name, value] of Object.entries(effective)) {
    if (!RUNTIME_ONLY.has(name)) argv.push(name, value);
  }
  return argv;
}

export function s3UrisOf(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
