import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { rememberSecret } from "../../http/redact";

/** Token responses carry these credentials; each joins the redaction set as it arrives. */
const TOKEN_FIELDS = ["access_token", "refresh_token", "id_token"] as const;

/**
 * MSAL's network seam with what seatplan requires of every call: a deadline (MSAL's own client
 * has none: a token endpoint that never answers held a run for minutes), and every credential in
 * a token response added to the redaction set the moment it arrives — before MSAL caches it,
 * and whatever error is built later. `inner` is a test's transport; without one, `fetch`.
 */
export function guardedNetworkClient(inner: INetworkModule | undefined, timeoutMs: number): INetworkModule {
  const transport = inner ?? fetchNetworkClient(timeoutMs);
  const guard = async <T>(what: string, url: string, call: () => Promise<NetworkResponse<T>>): Promise<NetworkResponse<T>> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the token endpoint did not answer within ${Math.round(timeoutMs / 1000)} s (${what} ${new URL(url).origin})`)), timeoutMs);
    });
    try {
      const response = await Promise.race([call(), deadline]);
      rememberTokens(response.body);
      return response;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => guard<T>("GET", url, () => transport.sendGetRequestAsync<T>(url, options, timeout)),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => guard<T>("POST", url, () => transport.sendPostRequestAsync<T>(url, options)),
  };
}

function rememberTokens(body: unknown): void {
  if (body === null || typeof body !== "object") return;
  for (const field of TOKEN_FIELDS) rememberSecret((body as Record<string, unknown>)[field]);
}

/** The transport MSAL would use (global `fetch`), aborted at the deadline. */
function fetchNetworkClient(timeoutMs: number): INetworkModule {
  const send = async <T>(method: string, url: string, options: NetworkRequestOptions | undefined): Promise<NetworkResponse<T>> => {
    const response = await fetch(url, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      ...(options?.headers ? { headers: options.headers } : {}),
      ...(options?.body !== undefined ? { body: options.body } : {}),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    const text = await response.text();
    let body: unknown = {};
    try {
      body = text === "" ? {} : JSON.parse(text);
    } catch {
      // MSAL judges a body it cannot use; an HTML error page is not worth a crash here.
      body = {};
    }
    return { status: response.status, headers, body: body as T };
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>("GET", url, options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>("POST", url, options),
  };
}
