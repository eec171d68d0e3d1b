import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SIMULATOR_CLOCK_HEADER } from "../wire/simulator";
import { ConfigError } from "../domain/errors";
import { parseJsonText } from "./bodies";
import { CloudCockpitFacade } from "./cloudcockpit/facade";
import { CODES, faultBody, SimError } from "./errors";
import { SimulatorService, type SimResponse, type SimulatorServiceOptions, wellFormedPath } from "./service";
import { authorize, tokenResponse } from "./tokens";

/**
 * The HTTP facade of the simulator (`seatplan simulator`, design §6), on `node:http` only:
 * Partner Center paths under `/v1` (via {@link SimulatorService}, the same code the embedded
 * backend calls), the OAuth token endpoint, and the `/_sim/*` admin routes for tests and demos.
 */

export interface SimulatorServerOptions extends SimulatorServiceOptions {
  /** 0 = any free port. @default 0 */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** Delay added to every API and token response (ms). @default 0 */
  readonly latencyMs?: number;
  /** How long a CloudCockpit write stays invisible to reads (`/cloudcockpit`, real ms). @default 0 */
  readonly cloudCockpitAsyncMs?: number;
  /**
   * Start every Partner Center (`/v1`) JSON response with a UTF-8 byte order mark, as some
   * Microsoft endpoints do, so clients are tested against it (`--bom`). Requests may always
   * start with one. @default false
   */
  readonly bom?: boolean;
}

export interface SimulatorServer {
  /** Base URL, e.g. `http://127.0.0.1:53107` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly service: SimulatorService;
  /** Stop listening and drop open connections. Idempotent. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;
const TOKEN_PATH = /^\/([^/]+)\/oauth2(?:\/v2\.0)?\/token\/?$/i;

/** Start the simulator's HTTP server on a state file (created with the demo tenant when missing). */
export async function startSimulatorServer(options: SimulatorServerOptions): Promise<SimulatorServer> {
  const service = await SimulatorService.open(options);
  const realNow = options.realNow ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const latencyMs = options.latencyMs ?? 0;
  const cloudCockpit = new CloudCockpitFacade(service, { asyncMs: options.cloudCockpitAsyncMs ?? 0, realNow });
  const bom = options.bom === true;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      send(res, 500, {}, faultBody("InternalError", `The simulator failed: ${e instanceof Error ? e.message : String(e)}`));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (e) {
      if (e instanceof SimError) return send(res, e.status, {}, e.body);
      throw e;
    }
    const url = requestUrl(req.url ?? "/");
    if (!url) {
      return send(
        res,
        400,
        {},
        faultBody(CODES.invalidInput, `Invalid request input: malformed URL ${JSON.stringify((req.url ?? "").slice(0, 200))}; send a path such as /v1/customers, percent-escaped as UTF-8`),
      );
    }

    const token = TOKEN_PATH.exec(url.pathname);
    if (token && method === "POST") {
      if (latencyMs) await sleep(latencyMs);
      const answer = tokenResponse(decodeURIComponent(token[1] ?? ""), new URLSearchParams(raw), service.partner(), realNow());
      service.logRequest(method, url.pathname, answer.status, null);
      return send(res, answer.status, { "Cache-Control": "no-store" }, answer.body);
    }

    if (url.pathname.startsWith("/_sim/")) return admin(method, url.pathname, raw, res, url.searchParams);

    // The CloudCockpit API on the same engine (design §8): its own routes, token route and shapes.
    if (/^\/cloudcockpit(\/|$)/i.test(url.pathname)) {
      if (latencyMs) await sleep(latencyMs);
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      const answer = await cloudCockpit.handle({ method, path: url.pathname.slice("/cloudcockpit".length) || "/", query: url.searchParams, headers, raw });
      const extra = { ...answer.headers, [SIMULATOR_CLOCK_HEADER]: service.now() };
      if (answer.body === "") {
        res.writeHead(answer.status, { "Content-Length": 0, ...extra });
        return void res.end();
      }
      return send(res, answer.status, extra, answer.body);
    }

    if (!/^\/v1(\/|$)/i.test(url.pathname)) {
      return send(res, 404, {}, faultBody(CODES.notFound, `No such resource: ${method} ${url.pathname}`));
    }
    const refused = authorize(header(req, "authorization"), service.partner(), realNow());
    if (refused) {
      service.logRequest(method, url.pathname, 401, header(req, "ms-requestid") ?? null);
      return send(res, 401, { "WWW-Authenticate": "Bearer" }, faultBody(CODES.unauthorized, refused), bom);
    }
    if (latencyMs) await sleep(latencyMs);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    const response = await answerApiRequest(service, { method, path: url.pathname, query: url.searchParams, headers, body: raw });
    send(res, response.status, response.headers, response.body, bom);
  }

  async function admin(method: string, path: string, raw: string, res: ServerResponse, query: URLSearchParams): Promise<void> {
    let body: unknown;
    try {
      body = raw === "" ? {} : parseJsonText(raw);
    } catch {
      return send(res, 400, {}, faultBody(CODES.invalidInput, "Invalid request input: the body is not JSON"));
    }
    try {
      const route = `${method} ${path.replace(/\/$/, "")}`;
      switch (route) {
        case "GET /_sim/clock":
          return send(res, 200, {}, { now: service.now() });
        case "POST /_sim/clock":
          return send(res, 200, {}, { now: await service.setClock(body) });
        case "GET /_sim/faults":
          return send(res, 200, {}, service.faults());
        case "POST /_sim/faults":
          return send(res, 201, {}, await service.addFault(body));
        case "DELETE /_sim/faults":
          await service.clearFaults();
          return send(res, 200, {}, []);
        case "GET /_sim/requests":
          return send(res, 200, {}, service.requests());
        case "DELETE /_sim/requests":
          service.clearRequests();
          return send(res, 200, {}, []);
        case "GET /_sim/catalog":
          return send(res, 200, {}, service.catalog());
        case "GET /_sim/state":
          return send(res, 200, {}, service.snapshot());
        case "GET /_sim/billing":
          return send(res, 200, {}, await service.billing(query.get("customer")));
        case "GET /_sim/pending":
          return send(res, 200, {}, service.pending());
        case "POST /_sim/settle":
          return send(res, 200, {}, { applied: await service.settle(true) });
        default:
          return send(
            res,
            404,
            {},
            faultBody(CODES.notFound, `No such admin route: ${route}; see docs/simulator.md (/_sim/clock, /_sim/faults, /_sim/requests, /_sim/catalog, /_sim/state, /_sim/pending, /_sim/settle, /_sim/billing)`),
          );
      }
    } catch (e) {
      if (e instanceof SimError) return send(res, e.status, e.headers, e.body);
      throw e;
    }
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        e.code === "EADDRINUSE"
          ? new ConfigError(`port ${options.port ?? 0} on ${options.host ?? "127.0.0.1"} is already in use; pick another with --port (0 = any free port)`)
          : e,
      );
    };
    server.once("error", onError);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    service,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** One Partner Center request as it arrived, the body still text. */
export interface RawApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/**
 * The facade's answer to one Partner Center request once the caller is let in (the HTTP server
 * checks the bearer token first): the body read as JSON, the service's answer, and the clock
 * header. The HTTP server sends it; the embedded backend's in-process transport returns it
 * (`config/backends.ts`), so both run the same code behind the socket.
 */
export async function answerApiRequest(service: SimulatorService, request: RawApiRequest): Promise<SimResponse> {
  let body: unknown;
  try {
    body = request.body === "" ? undefined : parseJsonText(request.body);
  } catch {
    return { status: 400, headers: {}, body: faultBody(CODES.invalidInput, "Invalid request input: the body is not JSON") };
  }
  const response = await service.handle({ method: request.method, path: request.path, query: request.query, headers: request.headers, body });
  return { ...response, headers: { ...response.headers, [SIMULATOR_CLOCK_HEADER]: service.now() } };
}

/** The request target as a URL; null unless it is a path (origin form) with well-formed escapes. */
function requestUrl(target: string): URL | null {
  if (target.startsWith("//") || !wellFormedPath(target.split("?")[0] ?? "")) return null;
  try {
    return new URL(target, "http://simulator");
  } catch {
    return null;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as text; one over {@link MAX_BODY_BYTES} is read to its end but kept out of memory. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      // Refused only once it is all read: answering earlier resets the client's connection.
      if (size > MAX_BODY_BYTES) {
        reject(new SimError(413, CODES.invalidInput, `Invalid request input: the body exceeds ${MAX_BODY_BYTES} bytes; send one subscription or cart per request`));
      } else {
        resolve(Buffer.concat(chunks).toString("utf8"));
      }
    });
    req.on("error", reject);
  });
}

/** A JSON response (none for `body` undefined, e.g. a 202), with a byte order mark when `bom`. */
function send(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: unknown, bom = false): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status, { "Content-Length": 0, ...headers });
    res.end();
    return;
  }
  const text = `${bom ? "\uFEFF" : ""}${JSON.stringify(body)}`;
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
