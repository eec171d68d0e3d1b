import type { AttemptFailure } from "./retry";

/**
 * What carries one attempt of a request to a server and brings back its answer (conventions
 * #14). Serialisation, paging, retries and polling live once in the client above it; a
 * transport only moves bytes: over the network ({@link AxiosTransport}) or in memory to a
 * handler in this process ({@link InProcessTransport}). Neither retries, parses nor throws.
 */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResult>;
  /** Release sockets. Idempotent. */
  close(): void;
}

export interface TransportRequest {
  readonly method: string;
  /** A path under the transport's base (`/v1/customers`), or an absolute URL already checked by the caller. */
  readonly url: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as sent (JSON text), absent for none. */
  readonly body?: string;
  /** The whole attempt's deadline. */
  readonly timeoutMs: number;
}

export interface TransportResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as received (text, "" for none): the client parses it. */
  readonly body: string;
}

/** An answer (any status), or no answer and why. */
export type TransportResult =
  | { readonly response: TransportResponse; readonly failure?: undefined }
  | { readonly response?: undefined; readonly failure: AttemptFailure };

/** Header names in lower case, multi-valued ones joined. */
export function lowerCaseHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v as string | number);
  }
  return out;
}
