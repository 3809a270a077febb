import { describe, expect, it } from "vitest";
import { APPLIED_LOCALLY, NOT_APPLIED_LOCALLY, driverLogGroup, scriptArguments } from "../../local/glue/glue-runtime-parameters";
import { HADOOP_AWS_PACKAGE, pysparkSubmitArgs } from "../../local/glue/spark-s3";

describe("local Glue runtime parameters", () => {
  it("applies --extra-jars itself and keeps it, like every runtime parameter, off the script's command line", () => {
    expect(APPLIED_LOCALLY.extraJars).toBe("--extra-jars");
    expect(NOT_APPLIED_LOCALLY).not.toContain("--extra-jars");
    const argv = scriptArguments("job", "run-1", {
      "--extra-jars": "s3://artifacts/glue/jars/sentinel-tokenization.jar",
      "--extra-py-files": "s3://artifacts/glue/python/sentinel_etl-0.1.0-py3-none-any.whl",
      "--profile": "card-transactions",
    });
    expect(argv).toEqual(["--JOB_NAME", "job", "--JOB_RUN_ID", "run-1", "--profile", "card-transactions"]);
  });

  it("puts the downloaded jars on spark-submit's --jars, quoted for PYSPARK_SUBMIT_ARGS", () => {
    const args = pysparkSubmitArgs("https://127.0.0.1:4566", "eu-central-2", undefined, [
      "/work/run 1/lib/sentinel-tokenization.jar",
      "/work/other.jar",
    ]);
    expect(args.startsWith(`--packages ${HADOOP_AWS_PACKAGE} --jars '/work/run 1/lib/sentinel-tokenization.jar,/work/other.jar' `)).toBe(
      true,
    );
    expect(args.endsWith(" pyspark-shell")).toBe(true);
    expect(pysparkSubmitArgs("https://127.0.0.1:4566", "eu-central-2")).not.toContain("--jars");
  });

  it("ships the driver log where Glue writes it: <prefix>/output with --custom-logGroup-prefix, else the continuous-log group", () => {
    const prefix = { "--custom-logGroup-prefix": "/sentinel/local/glue/sentinel-local-etl" };
    expect(driverLogGroup(prefix)).toBe("/sentinel/local/glue/sentinel-local-etl/output");
    expect(driverLogGroup({ ...prefix, "--continuous-log-logGroup": "/own/group" })).toBe("/own/group");
    expect(driverLogGroup({})).toBe("/aws-glue/jobs/logs-v2");
    expect(scriptArguments("job", "run-1", prefix)).toEqual(["--JOB_NAME", "job", "--JOB_RUN_ID", "run-1"]);
  });
});
