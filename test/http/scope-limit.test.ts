import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { HttpClient } from "../../provider/http/client";
import { InProcessTransport } from "../../provider/http/in-process-transport";
import { ScopeLimit } from "../../provider/http/scope-limit";

/** A promise and the functions that settle it. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("ScopeLimit", () => {
  it("runs at most `concurrency` tasks of a scope at once, the rest in arrival order, other scopes beside them", async () => {
    const limit = new ScopeLimit(2);
    const gates = [0, 1, 2, 3].map(() => deferred<string>());
    const started: string[] = [];
    const run = (scope: string, i: number, done: Promise<string>): Promise<string> =>
      limit.run(scope, () => {
        started.push(`${scope}${i}`);
        return done;
      });
    const a = [0, 1, 2, 3].map((i) => run("a", i, gates[i]?.promise ?? Promise.resolve("")));
    const gateB = deferred<string>();
    const b = run("b", 0, gateB.promise);
    const settled = Promise.allSettled(a);
    await tick();
    expect(started).toEqual(["a0", "a1", "b0"]);
    gates[1]?.resolve("one");
    await tick();
    expect(started).toEqual(["a0", "a1", "b0", "a2"]);
    gates[0]?.reject(new Error("boom"));
    await tick();
    expect(started).toEqual(["a0", "a1", "b0", "a2", "a3"]);
    gates[2]?.resolve("two");
    gates[3]?.resolve("three");
    expect((await settled).map((s) => (s.status === "fulfilled" ? s.value : "rejected"))).toEqual(["rejected", "one", "two", "three"]);
    expect(limit.size).toBe(1);
    gateB.resolve("b");
    expect(await b).toBe("b");
    expect(limit.size).toBe(0);
  });

  it("forgets a scope once nothing of it runs or waits (a plan reads thousands of customers once each)", async () => {
    const limit = new ScopeLimit(4);
    await Promise.all([...Array(1000).keys()].map((i) => limit.run(`customer-${i}`, () => Promise.resolve(i))));
    await limit.run("failing", () => Promise.reject(new Error("no"))).catch(() => undefined);
    expect(limit.size).toBe(0);
  });

  it("refuses a bound that is not a positive integer", () => {
    expect(() => new ScopeLimit(0)).toThrow("concurrency must be a positive integer (got 0)");
  });
});

describe("HttpClient memory", () => {
  it("keeps no answer once the caller has it: one customer's parsed list is garbage after its read", async () => {
    // The cause of a plan's 200 MB peak: the bound per customer kept its last answer, parsed
    // body and all, for every customer of the tenant. Checked with a weak reference and a full GC.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const body = JSON.stringify({ items: [...Array(100).keys()].map((i) => ({ id: `sub-${i}`, quantity: i })) });
    const http = new HttpClient({
      baseUrl: "http://in-process.invalid",
      auth: { token: () => Promise.resolve("t"), refresh: () => Promise.resolve(null) },
      transport: new InProcessTransport(() => Promise.resolve({ status: 200, headers: {}, body })),
    });
    const read = async (scope: string): Promise<WeakRef<object>> => {
      const answer = await http.request<{ items: unknown[] }>({ method: "GET", path: `/v1/customers/${scope}/subscriptions`, scope });
      expect(answer.body.items).toHaveLength(100);
      return new WeakRef(answer.body);
    };
    const refs = [await read("c1"), await read("c2")];
    await tick();
    gc();
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
  });
});
