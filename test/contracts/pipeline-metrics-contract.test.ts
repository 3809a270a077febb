/**
 * The Sentinel/Pipeline metrics have two sides: the Glue job publishes them
 * (glue-jobs/sentinel_etl/pipeline_metrics.py) and the alarms and dashboard read them
 * (contracts/pipeline-metrics.ts). This test asks the job's own module what it publishes and
 * compares it with what monitoring expects, so a renamed metric or unit fails here, not in production.
 */
import { describe, expect, it } from "vitest";
import { askTheJob } from "./support/ask-the-job";
import { PIPELINE_METRICS, PIPELINE_METRICS_NAMESPACE, PIPELINE_METRIC_DIMENSIONS } from "../../contracts/pipeline-metrics";

interface PublishedContract {
  namespace: string;
  dimensions: string[];
  units: Record<string, string>;
}

function publishedByTheJob(): PublishedContract {
  return askTheJob<PublishedContract>("the job's metrics", [
    "from sentinel_etl import pipeline_metrics as m",
    "print(json.dumps({'namespace': m.NAMESPACE, 'dimensions': list(m.DIMENSIONS), 'units': m.METRIC_UNITS}))",
  ]);
}

describe("Sentinel/Pipeline metrics contract between the Glue job and monitoring", () => {
  const published = publishedByTheJob();

  it("uses one namespace and the same dimensions", () => {
    expect(published.namespace).toBe(PIPELINE_METRICS_NAMESPACE);
    expect(published.dimensions).toEqual([...PIPELINE_METRIC_DIMENSIONS]);
  });

  it("publishes exactly the metrics monitoring reads, in the units it expects", () => {
    const expected = Object.fromEntries(Object.values(PIPELINE_METRICS).map((metric) => [metric.name, metric.unit]));
    expect(published.units).toEqual(expected);
  });
});
