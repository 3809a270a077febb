/**
 * One loopback endpoint for every AWS API the local pipeline and its user call. Requests are told apart
 * the way AWS tells them apart, by the service in the SigV4 credential scope: the Glue job-run operations
 * and DataBrew go to the local services (the job runner plays those parts of AWS), everything else is
 * forwarded unchanged to the emulator.
 *
 * It serves HTTPS only, as every AWS endpoint does, with the emulator's loopback certificate
 * (local/emulator/loopback-tls.ts), which its clients trust as one extra CA, and forwards to the emulator's TLS
 * listener: an S3 request through the front arrives with aws:SecureTransport true, so the buckets' TLS-only policies hold
 * for it as on AWS. A plain-HTTP request gets no answer: the TLS handshake fails.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { LoopbackTls } from "../emulator/loopback-tls";
import type { ApiResponse } from "./api-response";
import type { DataBrewApi } from "./databrew-api";
import { emulatorHttpsAgent } from "../emulator/emulator";
import { forwardToEmulator, type EmulatorUpstream } from "./forward-request";
import { GlueRunApi } from "./glue-api";
import type { PutEventsApi } from "./put-events-api";

export interface ServiceFront {
  /** e.g. https://127.0.0.1:40123: what SDK clients, the AWS CLI and `npx sentinel` point at (trusting the loopback certificate) */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The signing service of a SigV4 request: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
export function signingService(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/)?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, response: ApiResponse): void {
  res.writeHead(response.status, {
    ...response.headers,
    "content-length": Buffer.byteLength(response.body),
    "x-amzn-requestid": crypto.randomUUID(),
  });
  res.end(response.body);
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  emulator: EmulatorUpstream,
  glue: GlueRunApi,
  databrew: DataBrewApi,
  events?: PutEventsApi,
): Promise<void> {
  const service = signingService(req.headers.authorization);
  const target = String(req.headers["x-amz-target"] ?? "");
  const glueOperation = target.startsWith("AWSGlue.") ? target.slice("AWSGlue.".length) : "";
  if (service === "glue" && GlueRunApi.handles(glueOperation)) {
    const body = await readBody(req);
    send(res, await glue.handle(glueOperation, body === "" ? {} : (JSON.parse(body) as Record<string, unknown>)));
    return;
  }
  // the handlers' audit events go to the local bus, which delivers them by the deployed rules
  if (service === "events" && target === "AWSEvents.PutEvents" && events !== undefined) {
    send(res, await events.handle(await readBody(req)));
    return;
  }
  if (service === "databrew") {
    await readBody(req);
    send(res, await databrew.handle(req.method ?? "GET", req.url ?? "/"));
    return;
  }
  forwardToEmulator(req, res, emulator, "local service front");
}

/**
 * Starts the front on a free loopback port, serving TLS with `tls`'s key store and forwarding to `emulatorEndpoint` (the
 * emulator's TLS listener, whose certificate is the same).
 */
export async function startServiceFront(
  emulatorEndpoint: string,
  tls: LoopbackTls,
  glue: GlueRunApi,
  databrew: DataBrewApi,
  events?: PutEventsApi,
): Promise<ServiceFront> {
  const url = new URL(emulatorEndpoint);
  const emulator: EmulatorUpstream = url.protocol === "https:" ? { url, agent: emulatorHttpsAgent(tls.certificate) } : { url };
  const credentials = { pfx: readFileSync(tls.keyStore), passphrase: tls.password, minVersion: "TLSv1.2" as const };
  const server = createServer(credentials, (req, res) => {
    route(req, res, emulator, glue, databrew, events).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent)
        send(res, {
          status: 500,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ __type: "InternalServiceError", message }),
        });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
