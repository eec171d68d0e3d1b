import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

/**
 * MSAL's network seam for tests (reference/msal-testing.md, option 3): the real authority stays
 * `https://login.microsoftonline.com/<tenant>` (so MSAL runs its production code path), and only
 * the transport sends those URLs to a local server. Any other URL throws, so a test can never
 * reach the internet.
 */
export class RedirectingNetworkClient implements INetworkModule {
  constructor(
    private readonly from: string,
    private readonly to: string,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>("GET", url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>("POST", url, options);
  }

  private async send<T>(method: string, url: string, options: NetworkRequestOptions | undefined): Promise<NetworkResponse<T>> {
    if (!url.startsWith(`${this.from}/`)) throw new Error(`RedirectingNetworkClient: refusing ${method} ${url}; only ${this.from} is redirected in tests`);
    const response = await fetch(`${this.to}${url.slice(this.from.length)}`, {
      method,
      ...(options?.headers ? { headers: options.headers } : {}),
      ...(options?.body !== undefined ? { body: options.body } : {}),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    const text = await response.text();
    return { status: response.status, headers, body: (text === "" ? {} : JSON.parse(text)) as T };
  }
}
