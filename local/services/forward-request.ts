/** Passes one HTTP request through to the emulator unchanged and streams its answer back (502 if it does not answer). */
import { request, type IncomingMessage, type ServerResponse } from "node:http";

export function forwardToEmulator(req: IncomingMessage, res: ServerResponse, emulator: URL, forwarder: string): void {
  const upstream = request(
    { host: emulator.hostname, port: emulator.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`${forwarder}: the emulator did not answer: ${error.message}`);
  });
  req.pipe(upstream);
}
