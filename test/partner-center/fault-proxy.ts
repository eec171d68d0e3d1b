import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Which requests to cut, and when. */
export interface ResetRule {
  readonly method: string;
  readonly path: RegExp;
  /** False: the connection drops before the request is forwarded (nothing happened). True: the
   *  request is served, then the connection drops instead of the answer (the change was made). */
  readonly afterCommit: boolean;
  /** @default 1 */
  readonly count?: number;
}

/**
 * A real HTTP proxy in front of the simulator that resets connections on demand: the simulator
 * can fail a request with any status, but a dropped socket has to happen on the wire.
 */
export interface FaultProxy {
  readonly url: string;
  resetNext(rule: ResetRule): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const rules: { rule: ResetRule; left: number }[] = [];

  const take = (req: IncomingMessage): ResetRule | null => {
    const path = new URL(req.url ?? "/", "http://proxy").pathname;
    const i = rules.findIndex((r) => r.rule.method === req.method && r.rule.path.test(path));
    const found = rules[i];
    if (!found) return null;
    found.left -= 1;
    if (found.left <= 0) rules.splice(i, 1);
    return found.rule;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rule = take(req);
      if (rule && !rule.afterCommit) {
        req.socket.destroy();
        return;
      }
      const forward = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
        (up) => {
          const body: Buffer[] = [];
          up.on("data", (c: Buffer) => body.push(c));
          up.on("end", () => {
            if (rule) {
              req.socket.destroy();
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      forward.on("error", () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    resetNext: (rule) => rules.push({ rule, left: rule.count ?? 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
