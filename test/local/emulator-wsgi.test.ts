/**
 * local/emulator_wsgi.py's call_buffered, the one buffered call of the app behind the emulator's fronts (the CBOR
 * front and the retried-call replay): run with the project's Python against small WSGI apps.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..");
const PYTHON = resolve(ROOT, ".venv/bin/python");

/** Runs `app` (Python source defining `app(environ, start_response)`) through call_buffered; returns its answer. */
function buffered(app: string): { status: string; headers: [string, string][]; body: string; closed: boolean } {
  const script = `
import json
from emulator_wsgi import call_buffered
closed = []
${app}
answer = call_buffered(app, {})
print(json.dumps({"status": answer.status, "headers": answer.headers, "body": answer.body.decode(), "closed": bool(closed)}))
`;
  const out = execFileSync(PYTHON, ["-c", script], {
    env: { ...process.env, PYTHONPATH: resolve(ROOT, "local") },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out) as { status: string; headers: [string, string][]; body: string; closed: boolean };
}

describe("call_buffered", () => {
  it("keeps the status, the headers and the iterable's body", () => {
    const answer = buffered(`
def app(environ, start_response):
    start_response("201 Created", [("Content-Type", "text/xml")])
    return [b"<a>", b"</a>"]
`);
    expect(answer).toEqual({ status: "201 Created", headers: [["Content-Type", "text/xml"]], body: "<a></a>", closed: false });
  });

  it("keeps what the app wrote through start_response's write(), before its iterable, in order", () => {
    const answer = buffered(`
def app(environ, start_response):
    write = start_response("200 OK", [])
    write(b"first ")
    write(b"second ")
    return [b"third"]
`);
    expect(answer.body).toBe("first second third");
  });

  it("closes the app's iterable (PEP 3333)", () => {
    const answer = buffered(`
class Body:
    def __iter__(self):
        return iter([b"x"])
    def close(self):
        closed.append(True)
def app(environ, start_response):
    start_response("500 Internal Server Error", [])
    return Body()
`);
    expect(answer).toMatchObject({ status: "500 Internal Server Error", body: "x", closed: true });
  });

  it("refuses an app that never called start_response", () => {
    expect(() =>
      buffered(`
def app(environ, start_response):
    return [b"x"]
`),
    ).toThrow(/the WSGI app returned without calling start_response/);
  });
});
