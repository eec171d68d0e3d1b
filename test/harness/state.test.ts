// The harness state file keeps the secret semantics of a Pulumi checkpoint: secrets are encrypted
// on disk, unwrapped for the provider, and re-applied to outputs by input name.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SIG_KEY, SECRET_SIG } from "./sdk";
import { annotateSecrets, readState, secret, stripProps, writeState } from "./state";

describe("harness state file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seatplan-harness-state-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a missing file is an empty stack", () => {
    expect(readState(path.join(dir, "none.json"))).toEqual({ version: 1, resources: [] });
  });

  it("writes secrets as ciphertext and reads them back as secret envelopes", () => {
    const file = path.join(dir, "state.json");
    const resource = {
      urn: "urn:pulumi:dev::p::t::r",
      type: "t",
      custom: true,
      parent: "",
      id: "r",
      inputs: { token: secret("hunter2-plain"), nested: { list: [secret(42)] } },
      outputs: { token: secret("hunter2-plain"), size: 1 },
    };
    writeState(file, { version: 1, resources: [resource] });

    const raw = fs.readFileSync(file, "utf8");
    expect(raw).not.toContain("hunter2-plain");
    expect(JSON.parse(raw).resources[0].outputs.token).toEqual({ [SIG_KEY]: SECRET_SIG, ciphertext: expect.any(String) });
    expect(readState(file).resources).toEqual([resource]);
  });
});

describe("secrets around a provider call", () => {
  it("strips every envelope, however deep, before the provider sees the values", () => {
    expect(stripProps({ a: secret("x"), b: { c: [secret(1), 2] }, d: "plain" })).toEqual({
      a: "x",
      b: { c: [1, 2] },
      d: "plain",
    });
  });

  it.each([
    { output: "token", input: secret("t"), secretOut: true },
    { output: "nested", input: { deep: secret("t") }, secretOut: true },
    { output: "size", input: 3, secretOut: false },
    { output: "computed", input: undefined, secretOut: false },
  ])("output $output is secret: $secretOut", ({ output, input, secretOut }) => {
    const inputs = input === undefined ? {} : { [output]: input };
    const annotated = annotateSecrets({ [output]: "value" }, inputs);
    expect(annotated[output]).toEqual(secretOut ? secret("value") : "value");
  });
});
