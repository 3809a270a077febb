/**
 * Passes one HTTP request through to the emulator unchanged and streams its answer back (502 if it does not answer).
 * An https emulator endpoint (its TLS listener) is reached through `agent`, which must trust its certificate.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest, type Agent } from "node:https";

export interface EmulatorUpstream {
  readonly url: URL;
  /** For an https `url`: an agent trusting the emulator's certificate (emulatorHttpsAgent). */
  readonly agent?: Agent;
}

export function forwardToEmulator(req: IncomingMessage, res: ServerResponse, emulator: EmulatorUpstream, forwarder: string): void {
  const { url, agent } = emulator;
  const options = { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers };
  const onAnswer = (answer: IncomingMessage) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  };
  const upstream =
    url.protocol === "https:"
      ? httpsRequest({ ...options, ...(agent === undefined ? {} : { agent }) }, onAnswer)
      : httpRequest(options, onAnswer);
  upstream.on("error", (error) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`${forwarder}: the emulator did not answer: ${error.message}`);
  });
  req.pipe(upstream);
}
