import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the server does with one request. */
export type Reply =
  | {
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Readonly<Record<string, string>>;
      readonly delayMs?: number;
      /** Sends the body one character at a time, this many ms apart (a stalled but live connection). */
      readonly trickleMs?: number;
      /** Starts the JSON with a UTF-8 byte order mark, as some Partner Center answers do. */
      readonly bom?: boolean;
    }
  /** Destroys the socket without an answer (a connection reset seen by the client). */
  | { readonly reset: true }
  /** Never answers (the client's timeout fires). */
  | { readonly hang: true };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A real HTTP server on 127.0.0.1:0 that answers from a script (one reply per request, the last
 * one repeated) and records every request.
 */
export interface ScriptServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Most requests in flight at once, per `x-scope` request header value. */
  readonly maxInFlight: Map<string, number>;
  script(...replies: Reply[]): void;
  /** Answer by request instead of by order (for clients that send requests concurrently). */
  route(answer: (method: string, url: string) => Reply): void;
  close(): Promise<void>;
}

export async function startScriptServer(): Promise<ScriptServer> {
  let replies: Reply[] = [{ status: 200, body: {} }];
  let router: ((method: string, url: string) => Reply) | null = null;
  const seen: SeenRequest[] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const reply = router ? router(req.method ?? "", req.url ?? "") : replies.length > 1 ? (replies.shift() as Reply) : (replies[0] as Reply);
      const scope = String(req.headers["x-scope"] ?? "");
      inFlight.set(scope, (inFlight.get(scope) ?? 0) + 1);
      maxInFlight.set(scope, Math.max(maxInFlight.get(scope) ?? 0, inFlight.get(scope) ?? 0));
      const done = () => inFlight.set(scope, (inFlight.get(scope) ?? 1) - 1);
      if ("reset" in reply) {
        done();
        req.socket.destroy();
        return;
      }
      if ("hang" in reply) {
        res.on("close", done);
        return;
      }
      setTimeout(() => {
        done();
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        const text = reply.body === undefined ? "" : `${reply.bom === true ? "\uFEFF" : ""}${JSON.stringify(reply.body)}`;
        if (reply.trickleMs === undefined) {
          res.end(text);
          return;
        }
        let sent = 0;
        const drip = setInterval(() => {
          if (res.destroyed || sent >= text.length) {
            clearInterval(drip);
            res.end();
            return;
          }
          res.write(text.charAt(sent++));
        }, reply.trickleMs);
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    maxInFlight,
    script: (...r) => {
      router = null;
      replies = r;
    },
    route: (answer) => {
      router = answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
