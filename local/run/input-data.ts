/**
 * The pipeline's input: a seeded sample from the project's generator (`sentinel_etl.cli generate`, with a
 * small share of planted defects so quarantine has something to show; cached by profile, rows, seed and
 * defect rate, so the same request yields the same bytes and the bookmark knows it), or a CSV the user
 * gives; delivered to the day's landing prefix as a data provider would.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { joinS3Uri, parseS3Uri } from "../../handlers/shared/s3-uri";

export type InputSource =
  | {
      readonly kind: "generated";
      readonly rows: number;
      readonly seed: number;
      /** share of rows given one quarantinable defect (the generator's --defect-rate) */
      readonly defectRate: number;
    }
  | { readonly kind: "file"; readonly path: string };

export interface PreparedInput {
  readonly file: string;
  readonly bytes: number;
  readonly generated: boolean;
}

export interface DeliveredInput extends PreparedInput {
  readonly uri: string;
}

export function prepareInput(source: InputSource, profile: string, projectRoot: string, cacheDir: string): PreparedInput {
  if (source.kind === "file") {
    const file = resolve(source.path);
    if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`--input ${source.path}: no such file`);
    return { file, bytes: statSync(file).size, generated: false };
  }
  const file = join(cacheDir, `${profile}-${source.rows}-rows-seed-${source.seed}-defects-${source.defectRate}.csv`);
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${file}.partial`;
    const python = join(projectRoot, ".venv", "bin", "python");
    const args = [
      "-m",
      "sentinel_etl.cli",
      "generate",
      "--profile",
      profile,
      "--rows",
      String(source.rows),
      "--seed",
      String(source.seed),
      "--defect-rate",
      String(source.defectRate),
      "--output",
      partial,
    ];
    const result = spawnSync(python, args, { cwd: projectRoot, encoding: "utf8" });
    if (result.status !== 0)
      throw new Error(
        `the ${profile} generator failed (exit ${result.status ?? result.signal}): ${(result.stderr || result.stdout).trim()}`,
      );
    renameSync(partial, file);
  }
  return { file, bytes: statSync(file).size, generated: true };
}

/** Uploads the file under the landing prefix of the run (the trigger's input prefix for the day). */
export async function deliverInput(s3: S3Client, input: PreparedInput, landingPrefix: string): Promise<DeliveredInput> {
  const uri = joinS3Uri(landingPrefix, basename(input.file));
  const { bucket, key } = parseS3Uri(uri);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(input.file), ContentType: "text/csv" }));
  return { ...input, uri };
}
