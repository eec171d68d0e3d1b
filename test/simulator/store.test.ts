import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { isSeatplanError } from "../../provider/domain/errors";
import { StateStore } from "../../provider/simulator/store";
import type { SimState } from "../../provider/simulator/state";
import { buildForChildren } from "./child-build";
import { CUSTOMER, customer, state, subscription, tempDir, writeState } from "./helpers";

/**
 * The state file: cached reads, transactional writes under a lock, and two processes writing
 * one file without losing an update.
 */

const run = promisify(execFile);
const BASE = state("2026-06-01T00:00:00Z", [customer([subscription({ start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z", quantity: 1 })])]);

function stateFile(s: SimState = BASE): string {
  const path = join(tempDir(), "state.json");
  writeState(path, s);
  return path;
}

describe("reads", () => {
  it("parse the file once and again only after it changed", async () => {
    const path = stateFile();
    const store = new StateStore(path);
    const first = store.read();
    expect(store.read()).toBe(first);
    await new StateStore(path).update((s) => {
      s.customers[0]!.companyName = "Changed by another writer";
      return true;
    });
    const after = store.read();
    expect(after).not.toBe(first);
    expect(after.customers[0]?.companyName).toBe("Changed by another writer");
  });

  it.each`
    content                                                                 | message
    ${"{"}                                                                  | ${/is not valid JSON \(.+\); fix it, or delete it to start again from the demo tenant$/}
    ${'{"version": 2, "customers": []}'}                                    | ${/: version must be 1 \(got 2\); fix it, or delete it to start again from the demo tenant$/}
    ${'{"version": 1, "customers": [{"id": "c", "subscriptions": [{"id": "s"}]}]}'} | ${/: customers\[0\]\.subscriptions\[0\]\.offerId must be a string; fix it/}
    ${'{"version": 1, "now": "yesterday", "customers": []}'}                | ${/: now must be an ISO 8601 date \(got "yesterday"\)/}
  `("a broken file is a configuration error that says how to recover: $content", ({ content, message }) => {
    const path = join(tempDir(), "state.json");
    writeFileSync(path, content);
    let error: unknown;
    try {
      new StateStore(path).read();
    } catch (e) {
      error = e;
    }
    expect(isSeatplanError(error) && (error as Error).name).toBe("ConfigError");
    expect((error as Error).message).toMatch(message);
  });

  it("a missing file without a way to create it says how to create it", async () => {
    const path = join(tempDir(), "missing.json");
    await expect(new StateStore(path).init()).rejects.toThrow(
      `simulator state file ${path} does not exist; create the demo tenant there with \`seatplan demo --state ${path}\``,
    );
  });
});

describe("writes", () => {
  it("a change that throws leaves the file as it was", async () => {
    const path = stateFile();
    const store = new StateStore(path);
    const before = readFileSync(path, "utf8");
    await expect(
      store.update((s) => {
        s.customers[0]!.companyName = "half-done";
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(store.read().customers[0]?.companyName).toBe("Contoso");
  });

  it("a change that reports nothing changed does not write", async () => {
    const path = stateFile();
    const before = readFileSync(path, "utf8");
    await new StateStore(path).update(() => false);
    expect(readFileSync(path, "utf8")).toBe(before);
  });

  it("concurrent transactions of one process all land", async () => {
    const path = stateFile();
    const store = new StateStore(path);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.update((s) => {
          s.customers[0]!.subscriptions[0]!.quantity += 1;
          return true;
        }),
      ),
    );
    expect(new StateStore(path).read().customers[0]?.subscriptions[0]?.quantity).toBe(21);
  });
});

describe("two processes writing one state file", () => {
  let build: string;
  beforeAll(() => {
    build = buildForChildren(["provider/simulator/service.ts"]);
    writeFileSync(
      join(build, "writer.js"),
      `"use strict";
const { SimulatorService } = require("./dist/provider/simulator/service.js");
const [statePath, who, count] = process.argv.slice(2);
const customer = "/v1/customers/${CUSTOMER}";
const subscription = customer + "/subscriptions/22222222-2222-4222-8222-222222222222";
(async () => {
  const service = await SimulatorService.open({ statePath, rateLimitPerMinute: 0, createIfMissing: false });
  for (let i = 0; i < Number(count); i++) {
    const cart = await service.handle({ method: "POST", path: customer + "/carts", body: { lineItems: [
      { catalogItemId: "CFQ7TTC0LH18:0001:SIMAV0000001", quantity: 1, billingCycle: "monthly", termDuration: "P1M", friendlyName: who + "-" + i } ] } });
    if (cart.status !== 201) throw new Error(JSON.stringify(cart.body));
    const done = await service.handle({ method: "POST", path: customer + "/carts/" + cart.body.id + "/checkout" });
    if (done.status !== 201) throw new Error(JSON.stringify(done.body));
    // One more seat on the shared subscription: GET-modify-PATCH, again on a stale etag.
    for (;;) {
      const current = await service.handle({ method: "GET", path: subscription });
      const res = await service.handle({ method: "PATCH", path: subscription, body: { ...current.body, quantity: current.body.quantity + 1 } });
      if (res.status === 200) break;
      if (res.body.code !== 2055) throw new Error(JSON.stringify(res.body));
    }
  }
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
  });

  it("lose no purchase and no seat", async () => {
    const path = stateFile();
    const perWriter = 25;
    await Promise.all(["a", "b"].map((who) => run(process.execPath, [join(build, "writer.js"), path, who, String(perWriter)])));
    const result = JSON.parse(readFileSync(path, "utf8")) as SimState;
    const subs = result.customers[0]?.subscriptions ?? [];
    expect(subs[0]?.quantity).toBe(1 + 2 * perWriter);
    const names = subs.slice(1).map((s) => s.friendlyName).sort();
    const expected = ["a", "b"].flatMap((who) => Array.from({ length: perWriter }, (_, i) => `${who}-${i}`)).sort();
    expect(names).toEqual(expected);
  });
});

describe("three processes and a transaction longer than the stale period", () => {
  let build: string;
  beforeAll(() => {
    build = buildForChildren(["provider/simulator/store.ts"]);
    // long: one transaction busy for BUSY ms without refreshing the lock (blind), +1000 seats.
    // quick: COUNT transactions of +1 seat each. Each prints how many of its writes were acknowledged.
    writeFileSync(
      join(build, "writer.js"),
      `"use strict";
const { appendFileSync } = require("node:fs");
const { StateStore } = require("./dist/provider/simulator/store.js");
const [statePath, staleMs, kind, amount] = process.argv.slice(2);
const store = new StateStore(statePath, { staleMs: Number(staleMs) });
(async () => {
  let acked = 0;
  if (kind === "long") {
    await store.update((s) => {
      appendFileSync(statePath + ".started", "run ");
      const end = Date.now() + Number(amount);
      while (Date.now() < end) { /* simulated-time work, not refreshing the lock */ }
      s.customers[0].subscriptions[0].quantity += 1000;
      return true;
    });
    acked = 1000;
  } else {
    for (let i = 0; i < Number(amount); i++) {
      await store.update((s) => { s.customers[0].subscriptions[0].quantity += 1; return true; });
      acked += 1;
    }
  }
  process.stdout.write(String(acked));
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
  });

  it("lose no acknowledged write: the long one runs again on the newer state instead of renaming its old one over it", async () => {
    const path = stateFile();
    const staleMs = 300;
    const long = run(process.execPath, [join(build, "writer.js"), path, String(staleMs), "long", "1500"]);
    await expect.poll(() => existsSync(`${path}.started`), { timeout: 10_000, interval: 20 }).toBe(true);
    // Both quick writers find the lock held, wait for it to go stale, take it over and write.
    const quick = ["a", "b"].map(() => run(process.execPath, [join(build, "writer.js"), path, String(staleMs), "quick", "20"]));
    const acked = (await Promise.all([long, ...quick])).map((r) => Number(r.stdout));
    const result = JSON.parse(readFileSync(path, "utf8")) as SimState;
    expect(acked).toEqual([1000, 20, 20]);
    expect(result.customers[0]?.subscriptions[0]?.quantity).toBe(1 + 1000 + 20 + 20);
    expect(existsSync(`${path}.lock`)).toBe(false);
    // The quick writers did take the lock over mid-transaction: the long change ran a second time.
    expect(readFileSync(`${path}.started`, "utf8")).toBe("run run ");
  });
});
