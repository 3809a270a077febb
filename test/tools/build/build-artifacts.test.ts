/**
 * `npm run build` (tools/build/): the reproducible job wheel, the pinned dependency wheels, and the
 * manifest through which synth takes the artifacts (refusing missing or stale ones by name).
 */
import { createHash } from "node:crypto";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtArtifacts } from "../../../stacks/built-artifacts";
import { ARTIFACT_NAMES, MANIFEST_PATH, hashInputs, readManifest, sha256Of, verifiedArtifact, writeManifest } from "../../../tools/build/artifact-manifest";
import { readPinnedRequirements, resolveDependencyWheels } from "../../../tools/build/dependency-wheels";
import { tokenizationLibraryInputs } from "../../../tools/build/build-artifacts";
import { buildPythonWheel } from "../../../tools/build/python-wheel";
import { repositoryRoot } from "../../../tools/build/source-tree";
import { glueSourcesFixture } from "../../modules/support/glue-fixture";

describe("the transformation package wheel", () => {
  it("is byte-for-byte reproducible from the same sources", () => {
    const sources = glueSourcesFixture();
    const first = buildPythonWheel({ projectDir: sources.glueJobsDir, packageName: "sentinel_etl", outputDir: join(sources.buildDir, "a") });
    const second = buildPythonWheel({ projectDir: sources.glueJobsDir, packageName: "sentinel_etl", outputDir: join(sources.buildDir, "b") });
    expect(second.sha256).toBe(first.sha256);
    expect(readFileSync(second.path).equals(readFileSync(first.path))).toBe(true);
    expect(first.fileName).toBe("sentinel_etl-0.1.0-py3-none-any.whl");
  });

  it("records every file with its sha256 in RECORD, as pip expects", async () => {
    const sources = glueSourcesFixture();
    const wheel = buildPythonWheel({ projectDir: sources.glueJobsDir, packageName: "sentinel_etl", outputDir: sources.buildDir });
    const { unzipSync, strFromU8 } = await import("fflate");
    const files = unzipSync(readFileSync(wheel.path));
    const record = strFromU8(files["sentinel_etl-0.1.0.dist-info/RECORD"] as Uint8Array).trim().split("\n");
    expect(record.at(-1)).toBe("sentinel_etl-0.1.0.dist-info/RECORD,,");
    for (const line of record.slice(0, -1)) {
      const [path, digest, size] = line.split(",") as [string, string, string];
      const content = files[path] as Uint8Array;
      expect(digest).toBe(`sha256=${createHash("sha256").update(content).digest("base64url")}`);
      expect(Number(size)).toBe(content.length);
    }
    expect(Object.keys(files)).toContain("sentinel_etl/schemas/job-config.schema.json");
    expect(Object.keys(files).some((path) => path.includes("__pycache__") || path.endsWith(".pyc"))).toBe(false);
    expect(strFromU8(files["sentinel_etl-0.1.0.dist-info/WHEEL"] as Uint8Array)).toContain("Tag: py3-none-any");
  });
});

describe("dependency wheels", () => {
  const folder = () => mkdtempSync(join(tmpdir(), "sentinel-requirements-"));

  it("requires every requirement to be pinned", () => {
    const dir = folder();
    writeFileSync(join(dir, "requirements-glue.txt"), "# deps\nff3==1.0.3\njsonschema>=4\n");
    expect(() => readPinnedRequirements(join(dir, "requirements-glue.txt"))).toThrow(/requirements-glue.txt:3: "jsonschema>=4" must be pinned as name==version/);
  });

  it("says which command fetches a wheel that is not in the cache", () => {
    const dir = folder();
    writeFileSync(join(dir, "requirements-glue.txt"), "ff3==1.0.3\n");
    expect(() => resolveDependencyWheels(join(dir, "requirements-glue.txt"), join(dir, "cache"))).toThrow(/run `npm run glue:wheels`/);
  });

  it("refuses a cached wheel that is not the file recorded at download", () => {
    const sources = glueSourcesFixture();
    appendFileSync(join(sources.wheelCacheDir, "example_dependency-1.0.0-py3-none-any.whl"), "tampered");
    expect(() => resolveDependencyWheels(join(sources.glueJobsDir, "requirements-glue.txt"), sources.wheelCacheDir)).toThrow(/is not the file downloaded for example-dependency==1.0.0/);
  });

  it("uses the digest recorded at download as the object's content hash", () => {
    const sources = glueSourcesFixture();
    const [wheel] = resolveDependencyWheels(join(sources.glueJobsDir, "requirements-glue.txt"), sources.wheelCacheDir);
    expect(wheel?.sha256).toBe(createHash("sha256").update(readFileSync(join(sources.wheelCacheDir, "example_dependency-1.0.0-py3-none-any.whl"))).digest("hex"));
  });

  it("treats a missing requirements file as an error, an empty one as no dependencies", () => {
    const dir = folder();
    expect(() => readPinnedRequirements(join(dir, "requirements-glue.txt"))).toThrow(/is missing/);
    writeFileSync(join(dir, "requirements-glue.txt"), "# none\n");
    expect(resolveDependencyWheels(join(dir, "requirements-glue.txt"), join(dir, "cache"))).toEqual([]);
  });
});


describe("the JVM tokenization library", () => {
  it("is recorded as built from every file of glue-jobs/jvm but Maven's target/, and its build script", () => {
    const root = mkdtempSync(join(tmpdir(), "sentinel-jvm-"));
    for (const file of ["glue-jobs/jvm/pom.xml", "glue-jobs/jvm/src/main/java/sentinel/tokenization/Luhn.java", "glue-jobs/jvm/target/classes/Luhn.class"]) {
      mkdirSync(join(root, file, ".."), { recursive: true });
      writeFileSync(join(root, file), file);
    }
    expect(tokenizationLibraryInputs(root).sort()).toEqual(["glue-jobs/jvm/pom.xml", "glue-jobs/jvm/src/main/java/sentinel/tokenization/Luhn.java", "tools/build/jvm.sh"]);
  });

  it("is recorded with the digest of the jar in build/jvm and the sources it was built from", () => {
    const record = readManifest(repositoryRoot()).artifacts[ARTIFACT_NAMES.tokenizationLibrary];
    expect(record?.path).toBe("build/jvm/sentinel-tokenization.jar");
    expect(record?.sha256).toBe(readFileSync(join(repositoryRoot(), "build/jvm/sentinel-tokenization.jar.sha256"), "utf8").split(" ")[0]);
    expect(Object.keys(record?.inputs ?? {})).toContain("glue-jobs/jvm/src/main/java/sentinel/tokenization/Ff1Token.java");
  });
});

describe("the build manifest, as synth reads it", () => {
  /** A project root with one built artifact made from one source file. */
  function builtProject() {
    const root = mkdtempSync(join(tmpdir(), "sentinel-built-"));
    mkdirSync(join(root, "build", "handlers"), { recursive: true });
    mkdirSync(join(root, "handlers"));
    writeFileSync(join(root, "handlers", "handler.ts"), "export const version = 1;\n");
    writeFileSync(join(root, "build", "handlers", "trigger.zip"), "archive bytes");
    const archive = join(root, "build", "handlers", "trigger.zip");
    writeManifest(root, {
      [ARTIFACT_NAMES.handler("trigger")]: { path: "build/handlers/trigger.zip", sha256: sha256Of(archive), bytes: 13, inputs: hashInputs(root, ["handlers/handler.ts"]) },
    });
    return root;
  }

  it("fails without a build, naming the manifest and the command that builds it", () => {
    const root = mkdtempSync(join(tmpdir(), "sentinel-unbuilt-"));
    expect(() => readManifest(root)).toThrow(`${join(root, MANIFEST_PATH)} is missing: nothing was built yet. Run \`npm run build\` before synth.`);
    expect(() => builtArtifacts(root)).toThrow(/manifest\.json is missing.*npm run build/);
  });

  it("gives an artifact built from today's sources with its recorded digest", () => {
    const root = builtProject();
    const artifact = verifiedArtifact(root, readManifest(root), "handler/trigger");
    expect(artifact.absolutePath).toBe(join(root, "build", "handlers", "trigger.zip"));
    expect(artifact.sha256).toBe(createHash("sha256").update("archive bytes").digest("hex"));
  });

  it("refuses an artifact that is not in the manifest, is gone, or was altered, naming it and the command", () => {
    const root = builtProject();
    expect(() => verifiedArtifact(root, readManifest(root), "handler/audit")).toThrow("the artifact handler/audit is not in build/manifest.json: run `npm run build`");
    appendFileSync(join(root, "build", "handlers", "trigger.zip"), "tampered");
    expect(() => verifiedArtifact(root, readManifest(root), "handler/trigger")).toThrow("the artifact handler/trigger (build/handlers/trigger.zip) is not the file the build recorded: run `npm run build`");
  });

  it("refuses an artifact whose sources changed since the build, naming the changed file", () => {
    const root = builtProject();
    writeFileSync(join(root, "handlers", "handler.ts"), "export const version = 2;\n");
    expect(() => verifiedArtifact(root, readManifest(root), "handler/trigger")).toThrow(
      "the artifact handler/trigger (build/handlers/trigger.zip) is out of date: handlers/handler.ts changed since it was built; run `npm run build`",
    );
  });

  it("hands the stack every handler archive and wheel the build recorded, in manifest order", () => {
    const sources = glueSourcesFixture();
    const root = mkdtempSync(join(tmpdir(), "sentinel-built-stack-"));
    cpSync(sources.glueJobsDir, join(root, "glue-jobs"), { recursive: true });
    mkdirSync(join(root, "build"));
    const file = (path: string, content: string) => {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), content);
      return { path, sha256: sha256Of(join(root, path)), bytes: content.length, inputs: {} };
    };
    writeManifest(root, {
      "handler/trigger": file("build/handlers/trigger.zip", "t"),
      "handler/lineage": file("build/handlers/lineage.zip", "l"),
      "handler/audit": file("build/handlers/audit.zip", "a"),
      "glue/package": file("build/glue/sentinel_etl-0.1.0-py3-none-any.whl", "p"),
      "glue/dependency/scikit-learn": file("build/glue-wheels/scikit_learn-1.5.2-py3-none-any.whl", "s"),
      "glue/dependency/ff3": file("build/glue-wheels/ff3-1.0.3-py3-none-any.whl", "f"),
      "glue/tokenization-jar": file("build/jvm/sentinel-tokenization.jar", "j"),
    });
    const artifacts = builtArtifacts(root);
    expect(artifacts.handlers.lineage).toEqual({ name: "lineage", archive: join(root, "build/handlers/lineage.zip"), sha256: sha256Of(join(root, "build/handlers/lineage.zip")), handler: "index.handler" });
    expect(artifacts.glueJob.jobPackage.path).toBe(join(root, "build/glue/sentinel_etl-0.1.0-py3-none-any.whl"));
    expect(artifacts.glueJob.dependencyWheels.map((wheel) => wheel.requirement)).toEqual(["scikit-learn", "ff3"]);
    expect(artifacts.glueJob.glueJobsDir).toBe(join(root, "glue-jobs"));
    expect(artifacts.glueJob.tokenizationLibrary).toEqual({ path: join(root, "build/jvm/sentinel-tokenization.jar"), sha256: sha256Of(join(root, "build/jvm/sentinel-tokenization.jar")) });
  });
});
