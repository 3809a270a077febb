/**
 * The loopback certificate of the emulator's TLS listener (local/emulator_tls.py), and the forms its clients trust it
 * in. Every AWS client of the local run and of the Terraform apply reaches the emulator over TLS: the platform's bucket
 * policies refuse plain HTTP (aws:SecureTransport), and Hadoop's S3A (AWS SDK for Java v1) refuses to send the KMS
 * parameters it adds to every copy of an SSE-KMS object over plain HTTP anyway. Nobody skips verification: each client
 * is given this one self-signed certificate (SAN ip:127.0.0.1) as an extra trusted CA, beside the ones it trusts already.
 *
 * The certificate is made once with the JDK's keytool into ~/.cache/sentinel/tls: the key store the emulator serves
 * from; the Spark driver's trust store, a copy of the JDK's own with this one certificate added (so Maven Central stays
 * trusted for S3A's jars); the PEM for Node's https agents (emulator.ts); and a PEM bundle of Node's roots plus it for
 * the clients that take one file (Go's SSL_CERT_FILE for the Terraform provider, botocore's AWS_CA_BUNDLE).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { rootCertificates } from "node:tls";
import { cacheRoot } from "../../tools/cache-root";

/** Protects only a throwaway loopback certificate and trust store; nothing secret. */
const STORE_PASSWORD = "sentinel-loopback";
const ALIAS = "sentinel-loopback";

export interface LoopbackTls {
  /** PKCS12 key store holding the listener's key and self-signed certificate (SAN ip:127.0.0.1). */
  readonly keyStore: string;
  /** PKCS12 trust store: the JDK's trusted certificates plus the listener's certificate. */
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

/**
 * A PEM bundle of the CAs Node trusts (Mozilla's) plus the loopback certificate, written beside it, for the clients
 * that take one file of roots: Go (SSL_CERT_FILE, the Terraform provider) and botocore (AWS_CA_BUNDLE). Verification
 * stays on; the bundle only adds the one certificate.
 */
export function caBundle(tls: LoopbackTls): string {
  const bundle = join(dirname(tls.certificate), "ca-bundle.pem");
  const text = `${[...rootCertificates, readFileSync(tls.certificate, "utf8").trim()].join("\n")}\n`;
  if (!existsSync(bundle) || readFileSync(bundle, "utf8") !== text) {
    writeFileSync(`${bundle}.${process.pid}`, text);
    renameSync(`${bundle}.${process.pid}`, bundle);
  }
  return bundle;
}

/** JVM options that make the Spark driver trust the emulator (and everything the JDK trusts). */
export function trustStoreJavaOptions(tls: LoopbackTls): string {
  return `-Djavax.net.ssl.trustStore=${tls.trustStore} -Djavax.net.ssl.trustStorePassword=${tls.password} -Djavax.net.ssl.trustStoreType=PKCS12`;
}
