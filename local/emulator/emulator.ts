/**
 * The local AWS API emulator on a free loopback port: moto's server from the project's .venv, with the
 * Smithy RPC v2 CBOR protocol of CloudWatch translated in front of it (aws_emulator.py).
 * Used by integration tests, the local pipeline (`npm start`) and the Terraform local tier.
 * The server runs in its own process group and is killed with it on stop(), on process exit,
 * on SIGINT/SIGTERM and on an uncaught failure, so no orphan is left behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { Agent as HttpsAgent } from "node:https";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { rootCertificates } from "node:tls";
import { caBundle, loopbackTls } from "./loopback-tls";

export interface Emulator {
  /** e.g. http://127.0.0.1:51234: plain HTTP, for the emulator's control API (/moto-api) and plain-transport checks */
  readonly endpoint: string;
  readonly port: number;
  /**
   * e.g. https://127.0.0.1:51235: the same emulator over TLS (aws_emulator.py's second listener), what every AWS client
   * uses, so the platform's TLS-only bucket policies hold (aws:SecureTransport). Trust: {@link certificate}.
   */
  readonly tlsEndpoint: string;
  /** PEM file of the listener's self-signed certificate, the one extra CA its clients trust (local/emulator/loopback-tls.ts). */
  readonly certificate: string;
  /**
   * The https endpoint of S3 gateway endpoint `vpcEndpointId` (which the emulator must hold): one more TLS listener of the
   * emulator, whose requests carry aws:SourceVpce = that id and aws:SourceVpc = its VPC, as S3 requests from inside the
   * VPC do on AWS (local/emulator_vpc_endpoint.py). Opened once per endpoint. Trust: {@link certificate}.
   */
  vpcEndpoint(vpcEndpointId: string): Promise<string>;
  /** Resets all emulated state (moto's reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Watches a child process for an exit nobody asked for; local/run's ComponentWatch is the one `npm start` uses. */
export interface ProcessWatch {
  watch(component: string, child: ChildProcess, stopping: () => boolean): void;
}

export interface StartEmulatorOptions {
  /** Repository root holding .venv; defaults to the current working directory. */
  readonly projectRoot?: string;
  /** How long to wait for the server to answer, in ms. */
  readonly readyTimeoutMs?: number;
  /**
   * Watches the server for an exit nobody asked for; its owner then also handles SIGINT/SIGTERM.
   * @default none: the server is killed on process exit, SIGINT and SIGTERM end the process
   */
  readonly watch?: ProcessWatch;
  /**
   * Picks a free loopback port (called twice per start: plain and TLS; again when one was taken meanwhile).
   * @default freeLoopbackPort
   */
  readonly choosePort?: () => Promise<number>;
}

/** Credentials and region the SDK and Terraform use against the emulator. Never real secrets. */
export const EMULATOR_CREDENTIALS = {
  accessKeyId: "testing",
  secretAccessKey: "testing",
  region: "eu-central-2",
} as const;

/** The emulator's control route that opens a VPC endpoint's listener (local/emulator_vpc_endpoint.py). */
const VPC_ENDPOINT_LISTENERS = "/sentinel-api/vpc-endpoint-listeners";

/** moto's server with the CBOR front (see its docstring). */
const EMULATOR_SERVER = resolve(import.meta.dirname, "..", "aws_emulator.py");

/** The emulator's certificate (PEM), read once per file: every TLS client of the emulator trusts it as an extra CA. */
const certificates = new Map<string, string>();
function certificatePem(file: string): string {
  let pem = certificates.get(file);
  if (pem === undefined) {
    pem = readFileSync(file, "utf8");
    certificates.set(file, pem);
  }
  return pem;
}

/**
 * An https agent that trusts the system's CAs and the emulator's certificate (verification stays on). Node's `ca`
 * option replaces the default roots, so they are passed along.
 */
export function emulatorHttpsAgent(certificate: string = loopbackTls().certificate): HttpsAgent {
  return new HttpsAgent({ ca: [...rootCertificates, certificatePem(certificate)], keepAlive: true });
}

/**
 * SDK client settings that reach the emulator at `endpoint` with its dummy credentials (S3 clients add forcePathStyle);
 * an https endpoint is reached through {@link emulatorHttpsAgent}.
 */
export function emulatorClientConfig(endpoint: string, region: string = EMULATOR_CREDENTIALS.region) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey },
    ...(endpoint.startsWith("https:") ? { requestHandler: { httpsAgent: emulatorHttpsAgent() } } : {}),
  };
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port of a loopback socket"));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const root = options.projectRoot ?? process.cwd();
  const python = resolve(root, ".venv/bin/python");
  if (!existsSync(python)) {
    throw new Error(`the project's Python environment is missing (${python}): run 'npm run bootstrap' to create it`);
  }
  const tls = loopbackTls();
  // the one-file form of the trust, for Terraform (SSL_CERT_FILE) and boto3 (AWS_CA_BUNDLE)
  caBundle(tls);
  // A free port can be taken by another process between freeLoopbackPort() and the server's bind (tests run
  // in parallel): then the server exits with "Address already in use" and it is started again on other ports.
  const attempts = 5;
  const choosePort = options.choosePort ?? freeLoopbackPort;
  for (let attempt = 1; ; attempt++) {
    const port = await choosePort();
    let tlsPort = await choosePort();
    while (tlsPort === port) tlsPort = await choosePort();
    const started = await spawnEmulator(python, root, port, tlsPort, tls, options);
    if (started.kind === "ready") return started.emulator;
    if (started.kind === "port-taken" && attempt < attempts) continue;
    throw started.error;
  }
}

type SpawnOutcome =
  { readonly kind: "ready"; readonly emulator: Emulator } | { readonly kind: "port-taken" | "failed"; readonly error: Error };

const PORT_TAKEN = /Address already in use|is in use by another program/;

async function spawnEmulator(
  python: string,
  root: string,
  port: number,
  tlsPort: number,
  tls: ReturnType<typeof loopbackTls>,
  options: StartEmulatorOptions,
): Promise<SpawnOutcome> {
  const endpoint = `http://127.0.0.1:${port}`;
  const args = ["-H", "127.0.0.1", "-p", String(port), "--tls-port", String(tlsPort), "--tls-key-store", tls.keyStore];
  const child = spawn(python, [EMULATOR_SERVER, ...args, "--tls-key-store-password", tls.password], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
  });
  let stderr = "";
  // SENTINEL_EMULATOR_LOG=<file>: keep the emulator's whole request log (one line per request, tracebacks) there.
  const logFile = process.env.SENTINEL_EMULATOR_LOG;
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    if (logFile) appendFileSync(logFile, chunk);
  });

  let stopping = false;
  const onExit = (): void => killGroup(child);
  const onSignal = (signal: NodeJS.Signals): void => {
    killGroup(child);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  const release = (): void => {
    process.off("exit", onExit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  process.on("exit", onExit);
  if (options.watch === undefined) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      release();
      const error = new Error(`the emulator exited with code ${child.exitCode} before it was ready:\n${stderr}`);
      return { kind: PORT_TAKEN.test(stderr) ? "port-taken" : "failed", error };
    }
    try {
      // bounded: until the server binds, whatever else holds the port may accept and never answer
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stopping = true;
      killGroup(child);
      release();
      return { kind: "failed", error: new Error(`the emulator did not answer on ${endpoint} within the timeout:\n${stderr}`) };
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  // watched only once it answers: an exit before that is reported (or retried on other ports) above
  options.watch?.watch("the local AWS emulator", child, () => stopping);

  const emulator: Emulator = {
    endpoint,
    port,
    tlsEndpoint: `https://127.0.0.1:${tlsPort}`,
    certificate: tls.certificate,
    async vpcEndpoint(vpcEndpointId) {
      const response = await fetch(`${endpoint}${VPC_ENDPOINT_LISTENERS}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ VpcEndpointId: vpcEndpointId }),
      });
      const answer = (await response.json()) as { readonly Port?: number; readonly message?: string };
      if (!response.ok || answer.Port === undefined)
        throw new Error(
          `the emulator opened no listener for VPC endpoint ${vpcEndpointId}: ${answer.message ?? `HTTP ${response.status}`}`,
        );
      return `https://127.0.0.1:${answer.Port}`;
    },
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`emulator reset failed: HTTP ${response.status}`);
    },
    async stop() {
      release();
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      killGroup(child);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
  return { kind: "ready", emulator };
}
