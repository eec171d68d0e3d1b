import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the token endpoint does: pass to the simulator, fail echoing the credentials it was sent, or never answer. */
export type TokenMode = "pass" | 400 | 500 | "hang";
/** What the API does: pass to the simulator, or fail echoing the bearer token (for these methods). */
export type ApiMode =
  | "pass"
  | {
      readonly status: 401 | 403 | 429 | 500;
      readonly methods?: readonly string[];
      /** The first this many matching calls answer 429 (echoing too) before `status`. @default 0 */
      readonly throttleFirst?: number;
    };

/**
 * A real HTTP proxy in front of the simulator that turns hostile on demand: its failures echo
 * whatever credential the request carried (the client secret and refresh token of a token
 * request, the bearer token of an API call) — the worst a server can do to a client's logs.
 */
export interface EchoProxy {
  readonly url: string;
  token: TokenMode;
  api: ApiMode;
  /** "METHOD path" of every request seen. */
  readonly seen: string[];
  close(): Promise<void>;
}

const TOKEN_PATH = /\/oauth2(?:\/v2\.0)?\/token/;

export async function startEchoProxy(upstream: string): Promise<EchoProxy> {
  const target = new URL(upstream);
  const state: { token: TokenMode; api: ApiMode; throttled: number } = { token: "pass", api: "pass", throttled: 0 };
  const seen: string[] = [];
  const hanging = new Set<ServerResponse>();

  const fail = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "0" } : {}) });
    res.end(JSON.stringify(body));
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const out = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? "";
      seen.push(`${req.method ?? ""} ${path}`);
      if (TOKEN_PATH.test(path)) {
        const mode = state.token;
        if (mode === "hang") {
          hanging.add(res);
          return;
        }
        if (mode !== "pass") {
          const form = new URLSearchParams(body.toString("utf8"));
          fail(res, mode, {
            error: mode === 400 ? "invalid_client" : "temporarily_unavailable",
            error_description: `AADSTS7000215: rejected client_secret ${form.get("client_secret") ?? ""} and refresh_token ${form.get("refresh_token") ?? ""}; request was ${body.toString("utf8")}`,
            error_codes: [7000215],
          });
          return;
        }
        forward(req, res, body);
        return;
      }
      const api = state.api;
      if (api !== "pass" && (api.methods === undefined || api.methods.includes(req.method ?? ""))) {
        const auth = String(req.headers.authorization ?? "");
        const token = auth.replace(/^Bearer\s+/i, "");
        const status = state.throttled++ < (api.throttleFirst ?? 0) ? 429 : api.status;
        fail(res, status, { code: String(status === 429 ? 429 : status * 10), description: `the token ${token} is not allowed here (Authorization: ${auth}; access_token=${token})`, token });
        return;
      }
      forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get token() {
      return state.token;
    },
    set token(mode: TokenMode) {
      state.token = mode;
    },
    get api() {
      return state.api;
    },
    set api(mode: ApiMode) {
      state.api = mode;
      state.throttled = 0;
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
