// Proves the engine harness with the inventory fixture: the real cmd/run runner, the real
// dynamic-provider host, a TypeScript program, and a JSON state file. Every operation spawns
// processes, so each describe block shares one workspace and walks a stack through its life;
// the `it`s of a block run in order and each starts from the state the previous one left.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness, type HarnessOptions, type OperationResult } from "./engine";
import { CRASH_AFTER_WRITE_ENV, type Inventory } from "./fixtures/inventory/provider";
import { ProviderCallError, ProviderHost } from "./providerHost";
import { type Props, SECRET_SIG } from "./sdk";
import { serializeProvider } from "./serialize";

const FIXTURE = path.join(__dirname, "fixtures", "inventory");
const PROJECT = "harness-fixture";
const TYPE = "pulumi-nodejs:dynamic/fixture:InventoryItem";
/** The fake secret: stack config `fixture:token`, read by the provider in configure(). */
const TOKEN = "fixture-token-7d41c0b9e2";

const urn = (name: string): string => `urn:pulumi:dev::${PROJECT}::${TYPE}::${name}`;

/** A temp directory with the desired-state file, the inventory file and the state file. */
class Workspace {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "seatplan-harness-"));
  readonly desiredPath = path.join(this.dir, "desired.json");
  readonly inventoryPath = path.join(this.dir, "inventory.json");
  readonly statePath = path.join(this.dir, "state.json");

  desire(items: Record<string, { quantity: number; [knob: string]: unknown }>): void {
    fs.writeFileSync(this.desiredPath, JSON.stringify(items));
  }

  inventory(): Inventory | undefined {
    return fs.existsSync(this.inventoryPath)
      ? (JSON.parse(fs.readFileSync(this.inventoryPath, "utf8")) as Inventory)
      : undefined;
  }

  /** Out-of-band change, as someone editing the live system would make. */
  drift(item: string, quantity: number): void {
    const inventory = this.inventory() ?? { items: {}, calls: [] };
    inventory.items[item] = { quantity };
    fs.writeFileSync(this.inventoryPath, JSON.stringify(inventory));
  }

  harness(extra: Partial<HarnessOptions> = {}): Promise<Harness> {
    return Harness.start({
      projectDir: FIXTURE,
      stack: "dev",
      statePath: this.statePath,
      config: { "fixture:desiredPath": this.desiredPath, "fixture:inventoryPath": this.inventoryPath },
      secretConfig: { "fixture:token": TOKEN },
      ...extra,
    });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Steps as sorted "op name" strings: steps of one run finish in any order. */
function steps(result: OperationResult): string[] {
  return result.steps
    .map((s) => `${s.op} ${s.urn.split("::").pop() ?? ""}${s.drift === undefined ? "" : ` (${s.drift})`}`)
    .sort();
}

function storedOutputs(h: Harness, name: string): Props | undefined {
  return h.state().resources.find((r) => r.urn === urn(name))?.outputs;
}

describe("engine harness: a stack through its life", () => {
  const ws = new Workspace();
  let h: Harness;
  beforeAll(async () => {
    h = await ws.harness();
  });
  afterAll(async () => {
    await h.close();
    ws.remove();
  });

  it("preview on an empty stack plans the creates and writes nothing", async () => {
    ws.desire({ apples: { quantity: 3 }, pears: { quantity: 1 } });
    const result = await h.preview();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(["create apples", "create pears"]);
    expect(ws.inventory()).toBeUndefined();
    expect(fs.existsSync(ws.statePath)).toBe(false);
  });

  it("up creates every item and records inputs, outputs and stack outputs", async () => {
    const result = await h.up();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(["create apples", "create pears"]);
    expect(ws.inventory()?.items).toEqual({ apples: { quantity: 3 }, pears: { quantity: 1 } });
    expect(result.outputs).toEqual({ itemCount: 2, quantities: { apples: 3, pears: 1 } });
    const apples = h.state().resources.find((r) => r.urn === urn("apples"));
    expect(apples).toMatchObject({ id: "apples", custom: true, type: TYPE });
    expect(apples?.outputs).toMatchObject({ file: ws.inventoryPath, item: "apples", quantity: 3 });
  });

  it("a second up is a no-op: no provider write", async () => {
    const callsBefore = ws.inventory()?.calls;
    const result = await h.up();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(["same apples", "same pears"]);
    expect(ws.inventory()?.calls).toEqual(callsBefore);
  });

  it("changing a quantity previews an update, then up updates only that item", async () => {
    ws.desire({ apples: { quantity: 5 }, pears: { quantity: 1 } });
    expect(steps(await h.preview())).toEqual(["same pears", "update apples"]);
    expect(ws.inventory()?.items["apples"]).toEqual({ quantity: 3 });

    const result = await h.up();
    expect(steps(result)).toEqual(["same pears", "update apples"]);
    expect(ws.inventory()?.items["apples"]).toEqual({ quantity: 5 });
    expect(ws.inventory()?.calls.at(-1)).toBe("update apples");
    expect(storedOutputs(h, "apples")).toMatchObject({ quantity: 5 });
  });

  it("a diff that refuses the change fails preview with the provider's message", async () => {
    ws.desire({ apples: { quantity: 2 }, pears: { quantity: 1 } });
    const result = await h.preview();
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      {
        urn: urn("apples"),
        message: "Diff failed: cannot lower apples from 5 to 2: set allowDecrease: true to permit it",
      },
    ]);
    ws.desire({ apples: { quantity: 5 }, pears: { quantity: 1 } });
  });

  it("drift is invisible to up until refresh reads it; the next up restores the desired value", async () => {
    ws.drift("pears", 0);
    expect(steps(await h.up())).toEqual(["same apples", "same pears"]);
    expect(ws.inventory()?.items["pears"]).toEqual({ quantity: 0 });

    const refreshed = await h.refresh();
    expect(refreshed.errors).toEqual([]);
    expect(steps(refreshed)).toEqual(["read apples (none)", "read pears (changed)"]);
    expect(storedOutputs(h, "pears")).toMatchObject({ quantity: 0 });

    expect(steps(await h.up())).toEqual(["same apples", "update pears"]);
    expect(ws.inventory()?.items["pears"]).toEqual({ quantity: 1 });
  });

  it("refresh drops a resource that vanished from the live system", async () => {
    const inventory = ws.inventory();
    if (inventory === undefined) throw new Error("the inventory should exist by now");
    delete inventory.items["pears"];
    fs.writeFileSync(ws.inventoryPath, JSON.stringify(inventory));

    expect(steps(await h.refresh())).toEqual(["read apples (none)", "read pears (gone)"]);
    expect(storedOutputs(h, "pears")).toBeUndefined();
    expect(steps(await h.up())).toEqual(["create pears", "same apples"]);
  });

  it("a replacement creates the new item before deleting the old one, unless asked otherwise", async () => {
    ws.desire({
      apples: { quantity: 5, item: "green-apples" },
      pears: { quantity: 1, item: "gold-pears", deleteBeforeReplace: true },
    });
    expect(steps(await h.up())).toEqual(["replace apples", "replace pears"]);
    const calls = ws.inventory()?.calls ?? [];
    expect(calls.indexOf("create green-apples")).toBeLessThan(calls.indexOf("delete apples"));
    expect(calls.indexOf("delete pears")).toBeLessThan(calls.indexOf("create gold-pears"));
    expect(ws.inventory()?.items).toEqual({ "green-apples": { quantity: 5 }, "gold-pears": { quantity: 1 } });
    expect(h.state().resources.find((r) => r.urn === urn("apples"))?.id).toBe("green-apples");
  });

  it("removing an entry deletes it from the live system and the state", async () => {
    ws.desire({ pears: { quantity: 1, item: "gold-pears", deleteBeforeReplace: true } });
    expect(steps(await h.preview())).toEqual(["delete apples", "same pears"]);
    expect(ws.inventory()?.items["green-apples"]).toEqual({ quantity: 5 });

    const result = await h.up();
    expect(steps(result)).toEqual(["delete apples", "same pears"]);
    expect(ws.inventory()?.items).toEqual({ "gold-pears": { quantity: 1 } });
    expect(h.state().resources.map((r) => r.urn)).not.toContain(urn("apples"));
    expect(result.outputs).toEqual({ itemCount: 1, quantities: { "gold-pears": 1 } });
  });

  it("the state file never holds the secret config value, and the stored provider is not secret", () => {
    const raw = fs.readFileSync(ws.statePath, "utf8");
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain(SECRET_SIG);
    const pears = h.state().resources.find((r) => r.urn === urn("pears"));
    expect(typeof pears?.inputs["__provider"]).toBe("string");
  });

  it("destroy deletes every item and empties the state", async () => {
    const result = await h.destroy();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(["delete pears"]);
    expect(ws.inventory()?.items).toEqual({});
    expect(h.state().resources).toEqual([]);
  });
});

describe("engine harness: failures", () => {
  const ws = new Workspace();
  let h: Harness;
  beforeAll(async () => {
    h = await ws.harness();
  });
  afterAll(async () => {
    await h.close();
    ws.remove();
  });

  it("a check failure fails the run with the property path and reason", async () => {
    ws.desire({ figs: { quantity: -1 } });
    const result = await h.preview();
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      {
        urn: urn("figs"),
        message: `${TYPE} resource 'figs' has a problem: property quantity: quantity must be a whole number ≥ 0, got -1`,
      },
    ]);
  });

  it("a provider host killed right after a write fails the run; a second up finishes it", async () => {
    ws.desire({ figs: { quantity: 2 } });
    const crashed = await h.up({ providerEnv: { [CRASH_AFTER_WRITE_ENV]: "create figs" } });
    expect(crashed.ok).toBe(false);
    expect(crashed.errors.map((e) => e.urn)).toEqual([urn("figs")]);
    expect(crashed.processes.provider?.exit).toBe("SIGKILL");
    // The write happened but its answer never arrived: the state does not know the item.
    expect(ws.inventory()?.items).toEqual({ figs: { quantity: 2 } });
    expect(h.state().resources.map((r) => r.urn)).not.toContain(urn("figs"));

    const retried = await h.up();
    expect(retried.errors).toEqual([]);
    expect(steps(retried)).toEqual(["create figs"]);
    expect(ws.inventory()?.calls).toEqual(["create figs", "create figs"]);
    expect(h.state().resources.find((r) => r.urn === urn("figs"))?.id).toBe("figs");
  });

  it("a create that fails after writing records the resource, and the next up updates it", async () => {
    ws.desire({ figs: { quantity: 2 }, plums: { quantity: 4, initError: "shelf label missing" } });
    const failed = await h.up();
    expect(failed.errors).toEqual([
      { urn: urn("plums"), message: "Create failed: plums was written but failed to initialise: shelf label missing" },
    ]);
    expect(h.state().resources.find((r) => r.urn === urn("plums"))).toMatchObject({
      id: "plums",
      outputs: { item: "plums", quantity: 4 },
      initErrors: ["shelf label missing"],
    });

    ws.desire({ figs: { quantity: 2 }, plums: { quantity: 4 } });
    const fixed = await h.up();
    expect(fixed.errors).toEqual([]);
    expect(steps(fixed)).toEqual(["same figs", "update plums"]);
    expect(h.state().resources.find((r) => r.urn === urn("plums"))?.initErrors).toBeUndefined();
  });
});

describe("dynamic-provider host over gRPC", () => {
  const ws = new Workspace();
  let serialized: { text: string; containsSecrets: boolean };
  let host: ProviderHost;
  const inputs = (quantity: number, knobs: Props = {}): Props => ({
    file: ws.inventoryPath,
    item: "kiwis",
    quantity,
    allowDecrease: false,
    deleteBeforeReplace: false,
    initError: "",
    __provider: serialized.text,
    ...knobs,
  });

  beforeAll(async () => {
    serialized = await serializeProvider({
      module: path.join(FIXTURE, "item.ts"),
      exportName: "provider",
      // The secret is in the serializing process's config, as in a real `pulumi up`.
      env: { PULUMI_CONFIG: JSON.stringify({ "fixture:token": TOKEN }) },
    });
    host = await ProviderHost.start({ cwd: FIXTURE, project: PROJECT, stack: "dev" });
    await host.configure({ "fixture:token": { "4dabf18193072939515e22adb298388d": SECRET_SIG, value: TOKEN } });
  });
  afterAll(async () => {
    await host.kill();
    ws.remove();
  });

  it("serializes the provider without secret text and within a size budget", () => {
    expect(serialized.containsSecrets).toBe(false);
    expect(serialized.text).not.toContain(TOKEN);
    // About 7 KB today; a module captured by value by mistake would blow well past this.
    expect(serialized.text.length).toBeLessThan(10_000);
  });

  it("loads the serialized provider in a fresh process and creates, reads, updates and deletes", async () => {
    const created = await host.create(urn("kiwis"), inputs(2));
    expect(created).toEqual({
      id: "kiwis",
      outputs: { file: ws.inventoryPath, item: "kiwis", quantity: 2, __provider: serialized.text },
    });
    expect(ws.inventory()?.items).toEqual({ kiwis: { quantity: 2 } });

    ws.drift("kiwis", 6);
    const read = await host.read(urn("kiwis"), "kiwis", created.outputs);
    expect(read.id).toBe("kiwis");
    expect(read.outputs["quantity"]).toBe(6);

    const updated = await host.update(urn("kiwis"), "kiwis", read.outputs, inputs(7));
    expect(updated.outputs["quantity"]).toBe(7);
    await host.delete(urn("kiwis"), "kiwis", updated.outputs);
    expect(ws.inventory()?.items).toEqual({});
    expect(await host.read(urn("kiwis"), "kiwis", updated.outputs)).toMatchObject({ id: "" });
  });

  it("check passes inputs through and reports failures with their property", async () => {
    expect(await host.check(urn("kiwis"), {}, inputs(1))).toEqual({ inputs: inputs(1), failures: [] });
    expect((await host.check(urn("kiwis"), {}, inputs(1.5))).failures).toEqual([
      { property: "quantity", reason: "quantity must be a whole number ≥ 0, got 1.5" },
    ]);
  });

  it.each([
    { change: "nothing", news: { quantity: 2 }, expected: { changes: "none", replaces: [], deleteBeforeReplace: false } },
    { change: "a quantity", news: { quantity: 3 }, expected: { changes: "some", replaces: [], deleteBeforeReplace: false } },
    {
      change: "the item, delete first",
      news: { quantity: 2, item: "gold-kiwis", deleteBeforeReplace: true },
      expected: { changes: "some", replaces: ["item"], deleteBeforeReplace: true },
    },
  ])("diff of $change against the stored outputs", async ({ news, expected }) => {
    const olds = { file: ws.inventoryPath, item: "kiwis", quantity: 2, __provider: serialized.text };
    expect(await host.diff(urn("kiwis"), "kiwis", olds, inputs(news.quantity, news))).toEqual(expected);
  });

  it("a failing diff rejects with the provider's message", async () => {
    const olds = { file: ws.inventoryPath, item: "kiwis", quantity: 2, __provider: serialized.text };
    await expect(host.diff(urn("kiwis"), "kiwis", olds, inputs(1))).rejects.toThrow(
      "Diff failed: cannot lower kiwis from 2 to 1: set allowDecrease: true to permit it",
    );
  });

  it("a create that fails after writing comes back as ErrorResourceInitFailed with the outputs", async () => {
    const error = await host.create(urn("kiwis"), inputs(2, { initError: "no shelf" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderCallError);
    expect((error as ProviderCallError).initFailure).toEqual({
      id: "kiwis",
      properties: { file: ws.inventoryPath, item: "kiwis", quantity: 2, __provider: serialized.text },
      reasons: ["no shelf"],
    });
  });

  it("a provider configured without the token refuses to write, naming the missing config", async () => {
    const bare = await ProviderHost.start({ cwd: FIXTURE, project: PROJECT, stack: "dev" });
    try {
      await bare.configure({});
      await expect(bare.create(urn("kiwis"), inputs(1))).rejects.toThrow(
        "Create failed: fixture:token is not configured: set it with `pulumi config set --secret fixture:token …`",
      );
    } finally {
      await bare.kill();
    }
  });
});
