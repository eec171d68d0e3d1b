import type { Transport, TransportRequest, TransportResponse, TransportResult } from "./transport";

/** One request as a server in this process receives it. */
export interface InProcessRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body text ("" for none). */
  readonly body: string;
}

/** A server's request handler, called without a socket. */
export type InProcessHandler = (request: InProcessRequest) => Promise<TransportResponse>;

/**
 * The in-memory transport: hands each attempt to a request handler in this process (the
 * simulator's, the one its HTTP server calls) instead of a socket. Bodies still travel as text,
 * so the client parses exactly what the HTTP transport would bring back. The attempt's deadline
 * applies as it does on the network; a handler that throws is a 500, as a server would answer.
 */
export class InProcessTransport implements Transport {
  constructor(private readonly handler: InProcessHandler) {}

  async send(request: TransportRequest): Promise<TransportResult> {
    const url = new URL(request.url, "http://in-process");
    const query = new URLSearchParams(url.search);
    for (const [k, v] of Object.entries(request.query ?? {})) query.append(k, v);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<TransportResult>((resolve) => {
      timer = setTimeout(() => resolve({ failure: { kind: "timeout" } }), request.timeoutMs);
    });
    const answered = this.handler({ method: request.method.toUpperCase(), path: url.pathname, query, headers, body: request.body ?? "" }).then(
      (response): TransportResult => ({ response }),
      (e: unknown): TransportResult => ({
        response: {
          status: 500,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ code: "InternalError", description: `The in-process server failed: ${e instanceof Error ? e.message : String(e)}` }),
        },
      }),
    );
    try {
      return await Promise.race([answered, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {}
}
