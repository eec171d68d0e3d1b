import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type * as Axios from "axios";
import type { AxiosInstance } from "axios";
import pLimit from "p-limit";
import type { AttemptFailure } from "./retry";
import { lowerCaseHeaders, type Transport, type TransportRequest, type TransportResult } from "./transport";

export interface AxiosTransportOptions {
  /** Scheme, host and port; paths are appended (`https://api.partnercenter.microsoft.com`). */
  readonly baseUrl: string;
  /** Attempts in flight (one socket each); more wait for a free one. @default 64 */
  readonly maxSockets?: number;
}

/**
 * The network transport: one attempt over HTTP(S) with axios, on keep-alive sockets, under a
 * deadline for the whole attempt (axios' own `timeout` is the longest silence on the socket, so
 * a server that trickles its answer would hold a run for ever). The deadline starts once a
 * socket is free: an attempt must not time out while it queues. Every status is an answer;
 * axios' own errors (which carry the request, Authorization header included) never escape.
 */
export class AxiosTransport implements Transport {
  private readonly axios: AxiosInstance;
  private readonly sockets: pLimit.Limit;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(options: AxiosTransportOptions) {
    const maxSockets = options.maxSockets ?? 64;
    this.sockets = pLimit(maxSockets);
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });
    this.axios = axiosModule().default.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      adapter: "http",
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      validateStatus: () => true,
      maxRedirects: 0,
      // The client parses (a body may start with a UTF-8 BOM, as Partner Center's sometimes do).
      responseType: "text",
      transformResponse: [(data: unknown) => data],
    });
  }

  send(request: TransportRequest): Promise<TransportResult> {
    return this.sockets(() => this.attempt(request));
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async attempt(request: TransportRequest): Promise<TransportResult> {
    const deadline = AbortSignal.timeout(request.timeoutMs);
    try {
      const response = await this.axios.request<string>({
        method: request.method,
        url: request.url,
        signal: deadline,
        ...(request.query === undefined ? {} : { params: request.query }),
        ...(request.body === undefined ? {} : { data: request.body }),
        headers: request.headers,
      });
      const body = typeof response.data === "string" ? response.data : response.data === undefined || response.data === null ? "" : String(response.data);
      return { response: { status: response.status, headers: lowerCaseHeaders(response.headers as Record<string, unknown>), body } };
    } catch (e) {
      return { failure: deadline.aborted ? { kind: "timeout" } : failureOf(e) };
    }
  }
}

/**
 * axios, loaded with the first network transport: some 20 MB of resident memory that a client on
 * an in-process transport (the embedded simulator: every offline plan) never uses.
 */
function axiosModule(): typeof Axios {
  return (axios ??= require("axios") as typeof Axios);
}
let axios: typeof Axios | undefined;

function failureOf(e: unknown): AttemptFailure {
  if (axiosModule().isAxiosError(e)) {
    // The attempt's deadline is classified above; this is the socket's own (connect) timeout.
    if (e.code === "ETIMEDOUT") return { kind: "timeout" };
    if (typeof e.code === "string" && e.code !== "ERR_BAD_REQUEST" && e.code !== "ERR_BAD_RESPONSE") return { kind: "network", code: e.code };
  }
  return { kind: "unknown" };
}
