/** A response of the local services, written to the HTTP client as is. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** AWS JSON 1.1 (Glue): errors carry their type in `__type`. */
export function json11(status: number, body: unknown): ApiResponse {
  return { status, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify(body) };
}

export function json11Error(status: number, type: string, message: string): ApiResponse {
  return json11(status, { __type: type, Message: message });
}

/** AWS REST-JSON (DataBrew): errors carry their type in the x-amzn-errortype header. */
export function restJson(status: number, body: unknown): ApiResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

export function restJsonError(status: number, type: string, message: string): ApiResponse {
  return { status, headers: { "content-type": "application/json", "x-amzn-errortype": type }, body: JSON.stringify({ message }) };
}

/** AWS JSON and REST-JSON timestamps are epoch seconds. */
export function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}
