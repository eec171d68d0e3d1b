import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoState } from "../../provider/simulator/demo";
import { startSimulatorServer, type SimulatorServer } from "../../provider/simulator/server";
import { buildCli, startCli } from "../cli/spawn";
import { Harness } from "../harness/engine";
import { DEMO_NOW, requireFreshBuild, userProject } from "../pulumi/support";
import { type ApiMode, type EchoProxy, startEchoProxy, type TokenMode } from "./echo-proxy";

/**
 * Canary credentials driven through every failure path (issue #9, acceptance 2): the token
 * endpoint refusing (400), failing (500) or hanging, the API answering 401/403/429/500 with the
 * bearer token echoed in its error, the network down — through the CLI (a child process, real
 * MSAL) and through Pulumi (the SDK's runner and provider host, test/harness). Every output and
 * the stack state are searched for the canaries and for every token the token endpoint issued.
 */
const CANARY_SECRET = "canary-client-secret-9f3e1d77";
const CANARY_REFRESH = "canary-refresh-token-4b8a2c19";
const CANARY_GIVEN = "canary-given-access-token-7d6e5f44";
const PARTNER = { tenantId: "0d2c8f6e-9b1a-4c3d-8e7f-6a5b4c3d2e1f", clientId: "seatplan-canary", clientSecret: CANARY_SECRET, refreshToken: CANARY_REFRESH };
const PRELOAD = join(__dirname, "canary-preload.cjs");
const QUICKSTART = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");

let dir: string;
let sim: SimulatorServer;
let proxy: EchoProxy;
let built: string;
let closedPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seatplan-canary-"));
  const statePath = join(dir, "sim.json");
  writeFileSync(statePath, JSON.stringify({ ...demoState(Date.parse(DEMO_NOW)), partner: PARTNER }));
  sim = await startSimulatorServer({ statePath, port: 0, rateLimitPerMinute: 0 });
  proxy = await startEchoProxy(sim.url);
  built = buildCli();
  // A port nothing listens on: the network is down for whoever calls it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}, 120_000);
afterAll(async () => {
  await proxy.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(built, { recursive: true, force: true });
});

/** The canaries, and every credential the token endpoint handed out so far (recorded by the preload). */
function secrets(tokensFile: string): string[] {
  const issued = existsSync(tokensFile) ? readFileSync(tokensFile, "utf8").split("\n").filter((t) => t.length > 0) : [];
  return [CANARY_SECRET, CANARY_REFRESH, CANARY_GIVEN, ...issued, ...[CANARY_SECRET, CANARY_REFRESH].map(encodeURIComponent)];
}

function leaks(text: string, tokensFile: string): string[] {
  return [...new Set(secrets(tokensFile))].filter((s) => text.includes(s));
}

type Credentials = "app+user" | "app" | "token";
function credentialEnv(kind: Credentials): Record<string, string> {
  if (kind === "token") return { SEATPLAN_ACCESS_TOKEN: CANARY_GIVEN };
  return {
    SEATPLAN_TENANT_ID: PARTNER.tenantId,
    SEATPLAN_CLIENT_ID: PARTNER.clientId,
    SEATPLAN_CLIENT_SECRET: CANARY_SECRET,
    ...(kind === "app+user" ? { SEATPLAN_REFRESH_TOKEN: CANARY_REFRESH } : {}),
  };
}

interface Scenario {
  readonly token: TokenMode;
  readonly api: ApiMode;
  readonly credentials: Credentials;
  readonly down?: boolean;
  /** The server echoed a credential into a message seatplan printed: "[REDACTED]" must show where it was. */
  readonly echoed: boolean;
}

const SCENARIOS: ReadonlyArray<readonly [string, Scenario]> = [
  ["token endpoint 400 echoing the secret and refresh token", { token: 400, api: "pass", credentials: "app+user", echoed: true }],
  ["token endpoint 500 echoing them (client credentials)", { token: 500, api: "pass", credentials: "app", echoed: true }],
  ["token endpoint hangs (the run is stopped with SIGTERM)", { token: "hang", api: "pass", credentials: "app+user", echoed: false }],
  ["API 401 echoing the MSAL token (refresh flow)", { token: "pass", api: { status: 401 }, credentials: "app+user", echoed: true }],
  ["API 403 echoing the MSAL token (client credentials)", { token: "pass", api: { status: 403 }, credentials: "app", echoed: true }],
  ["API 429 echoing the token (twice), then 500 echoing it", { token: "pass", api: { status: 500, throttleFirst: 2 }, credentials: "app+user", echoed: true }],
  ["API 500 echoing the token", { token: "pass", api: { status: 500 }, credentials: "app+user", echoed: true }],
  ["API 401 echoing SEATPLAN_ACCESS_TOKEN", { token: "pass", api: { status: 401 }, credentials: "token", echoed: true }],
  ["network down", { token: "pass", api: "pass", credentials: "app+user", down: true, echoed: false }],
];

describe("canary secrets through the CLI (a child process, real MSAL)", () => {
  it.each(SCENARIOS)("%s: no canary and no issued token in any output", { timeout: 120_000 }, async (name, s) => {
    proxy.token = s.token;
    proxy.api = s.api;
    const tokensFile = join(dir, `tokens-${name.replace(/[^a-z0-9]+/gi, "-")}.txt`);
    const seenBefore = proxy.seen.length;
    const running = startCli(built, ["plan", QUICKSTART], {
      cwd: dir,
      nodeArgs: ["--require", PRELOAD],
      env: {
        SEATPLAN_BACKEND: "partner-center",
        SEATPLAN_ENDPOINT: s.down === true ? `http://127.0.0.1:${closedPort}` : proxy.url,
        CANARY_TOKEN_URL: proxy.url,
        CANARY_TOKENS_FILE: tokensFile,
        ...credentialEnv(s.credentials),
      },
    });
    if (s.token === "hang") {
      for (let i = 0; i < 400 && !proxy.seen.slice(seenBefore).some((r) => r.includes("oauth2")); i++) await new Promise((r) => setTimeout(r, 25));
      running.child.kill("SIGTERM");
    }
    const finished = await running.exit(90_000);
    proxy.token = "pass";
    proxy.api = "pass";
    expect(finished.killed).toBe(false);
    if (s.token === "hang") expect(finished.signal).toBe("SIGTERM");
    else expect(finished.code).toBe(1);
    const output = finished.stdout + finished.stderr;
    expect(leaks(output, tokensFile)).toEqual([]);
    if (s.echoed) expect(output).toContain("[REDACTED]");
    expect(output).not.toMatch(/^\s+at /m);
  });
});

describe("canary secrets through Pulumi (runner + provider host, stack state)", () => {
  let harness: Harness | undefined;
  const stackDir = (): string => join(dir, "stack");
  beforeAll(() => {
    requireFreshBuild();
    userProject(join(stackDir(), "project"));
  });
  afterAll(async () => {
    await harness?.close();
  });

  it.each<[string, TokenMode, ApiMode, boolean]>([
    ["the API refuses every write with 500, echoing the token: partial creates record initErrors", "pass", { status: 500, methods: ["PATCH", "POST"] }, true],
    ["the token endpoint refuses with 400, echoing the secret and refresh token", 400, "pass", false],
    ["the API answers 401 to everything, echoing the token", "pass", { status: 401 }, false],
  ])("%s", { timeout: 180_000 }, async (name, token, api, expectInitErrors) => {
    await harness?.close();
    const slug = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40);
    const tokensFile = join(stackDir(), `tokens-${slug}.txt`);
    harness = await Harness.start({
      projectDir: join(stackDir(), "project"),
      stack: "dev",
      statePath: join(stackDir(), `stack-${slug}.json`),
      env: {
        SEATPLAN_BACKEND: "partner-center",
        SEATPLAN_ENDPOINT: proxy.url,
        SEATPLAN_TENANT_ID: PARTNER.tenantId,
        SEATPLAN_CLIENT_ID: PARTNER.clientId,
        SEATPLAN_NOW: DEMO_NOW,
        NODE_OPTIONS: `--require ${PRELOAD}`,
        CANARY_TOKEN_URL: proxy.url,
        CANARY_TOKENS_FILE: tokensFile,
      },
      secretConfig: { "seatplan:clientSecret": CANARY_SECRET, "seatplan:refreshToken": CANARY_REFRESH },
    });
    proxy.token = token;
    proxy.api = api;
    const seenBefore = proxy.seen.length;
    let result: unknown;
    try {
      result = await harness.up();
    } finally {
      proxy.token = "pass";
      proxy.api = "pass";
    }
    const state = harness.state() as { resources?: { initErrors?: string[] }[] };
    const stateFile = existsSync(join(stackDir(), `stack-${slug}.json`)) ? readFileSync(join(stackDir(), `stack-${slug}.json`), "utf8") : "";
    const everything = `${JSON.stringify(result)}\n${JSON.stringify(state)}\n${stateFile}`;
    expect({ ok: (result as { ok: boolean }).ok, errors: (result as { errors: unknown }).errors }).toMatchObject({ ok: false });
    if (expectInitErrors) {
      const initErrors = (state.resources ?? []).flatMap((r) => r.initErrors ?? []);
      expect(initErrors.length).toBeGreaterThan(0);
      expect(initErrors.join("\n")).toContain("[REDACTED]");
    }
    expect(leaks(everything, tokensFile)).toEqual([]);
    // The secrets were really in play: the provider asked the token endpoint with them.
    expect(proxy.seen.slice(seenBefore).some((r) => r.includes("oauth2"))).toBe(true);
  });
});
