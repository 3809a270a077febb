/**
 * An HTTPS front for the emulator's S3, for the local Glue run only. Hadoop's S3A (AWS SDK for Java v1) refuses to send
 * a request that carries KMS encryption parameters over plain HTTP ("HTTPS must be used when sending customer
 * encryption keys (SSE-C) to S3"), and S3A adds them to every copy of an object that is SSE-KMS encrypted, which
 * every object in the platform's buckets is (their default encryption). Spark's and the job's renames are copies, so
 * without TLS no run could publish. The front terminates TLS on loopback with a self-signed certificate for 127.0.0.1
 * and forwards each request unchanged to the emulator.
 *
 * The certificate is made once with the JDK's keytool into ~/.cache/sentinel/tls; the Spark driver trusts it through a
 * copy of the JDK's own trust store with this one certificate added (so Maven Central stays trusted for S3A's jars).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { cacheRoot } from "../../tools/terraform/toolchain";
import { forwardToEmulator } from "../services/forward-request";

/** Protects only a throwaway loopback certificate and trust store; nothing secret. */
const STORE_PASSWORD = "sentinel-loopback";
const ALIAS = "sentinel-loopback";

export interface LoopbackTls {
  /** PKCS12 key store holding the front's key and self-signed certificate (SAN ip:127.0.0.1). */
  readonly keyStore: string;
  /** PKCS12 trust store: the JDK's trusted certificates plus the front's certificate. */
  readonly trustStore: string;
  /** The self-signed certificate alone, PEM: the extra CA the Node, Python and Go clients trust. */
  readonly certificate: string;
  readonly password: string;
}

function keytoolPath(env: NodeJS.ProcessEnv): string {
  if (env.JAVA_HOME) return join(env.JAVA_HOME, "bin", "keytool");
  const found = spawnSync("sh", ["-c", "command -v keytool"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("keytool (part of Java 17) was not found on PATH; npm start's bootstrap installs Java 17");
  return found;
}

function keytool(binary: string, args: readonly string[]): void {
  const result = spawnSync(binary, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`keytool ${args[0]} failed: ${result.stderr || result.stdout}`);
}

/** The key and trust stores, made once (idempotent) under ~/.cache/sentinel/tls. */
export function loopbackTls(env: NodeJS.ProcessEnv = process.env): LoopbackTls {
  const dir = join(cacheRoot(env), "tls");
  const stores: LoopbackTls = {
    keyStore: join(dir, "loopback-key.p12"),
    trustStore: join(dir, "loopback-trust.p12"),
    certificate: join(dir, "loopback.pem"),
    password: STORE_PASSWORD,
  };
  if (existsSync(stores.keyStore) && existsSync(stores.trustStore) && existsSync(stores.certificate)) return stores;
  mkdirSync(dir, { recursive: true });
  // left by an interrupted run: keytool refuses to add the alias to a store that already has it
  for (const file of readdirSync(dir)) if (file.endsWith(".partial")) rmSync(join(dir, file));
  const binary = keytoolPath(env);
  const common = ["-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"];
  const keyStore = `${stores.keyStore}.partial`;
  keytool(binary, [
    "-genkeypair",
    "-keystore",
    keyStore,
    "-alias",
    ALIAS,
    "-keyalg",
    "RSA",
    "-keysize",
    "2048",
    "-validity",
    "3650",
    "-dname",
    "CN=127.0.0.1, O=Sentinel local emulator",
    "-ext",
    "SAN=ip:127.0.0.1",
    "-keypass",
    STORE_PASSWORD,
    ...common,
  ]);
  const certificate = `${stores.certificate}.partial`;
  keytool(binary, ["-exportcert", "-rfc", "-keystore", keyStore, "-alias", ALIAS, "-file", certificate, ...common]);
  const cacerts = join(dirname(dirname(realpathSync(binary))), "lib", "security", "cacerts");
  const trustStore = `${stores.trustStore}.partial`;
  copyFileSync(cacerts, trustStore);
  // the JDK's cacerts is a PKCS12 store with the password "changeit"; re-key the copy to ours
  keytool(binary, ["-storepasswd", "-keystore", trustStore, "-storepass", "changeit", "-new", STORE_PASSWORD]);
  keytool(binary, ["-importcert", "-keystore", trustStore, "-alias", ALIAS, "-file", certificate, ...common]);
  copyFileSync(keyStore, stores.keyStore);
  copyFileSync(trustStore, stores.trustStore);
  copyFileSync(certificate, stores.certificate);
  return stores;
}

/** JVM options that make the Spark driver trust the front (and everything the JDK trusts). */
export function trustStoreJavaOptions(tls: LoopbackTls): string {
  return `-Djavax.net.ssl.trustStore=${tls.trustStore} -Djavax.net.ssl.trustStorePassword=${tls.password} -Djavax.net.ssl.trustStoreType=PKCS12`;
}

export interface TlsFront {
  /** https://127.0.0.1:<port> */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the front on a free loopback port, forwarding every request as it came to `target` (the emulator). */
export async function startTlsFront(target: string, tls: LoopbackTls): Promise<TlsFront> {
  const upstream = new URL(target);
  const server: Server = createServer({ pfx: readFileSync(tls.keyStore), passphrase: tls.password }, (incoming, outgoing) =>
    forwardToEmulator(incoming, outgoing, upstream, "local HTTPS front"),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
