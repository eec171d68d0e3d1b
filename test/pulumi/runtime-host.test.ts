import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SubscriptionOutputs } from "../../provider/pulumi/outputs";
import { createRuntime } from "../../provider/pulumi/runtime";
import { DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { DEMO_NOW, ROCKIT, writeDemoState } from "./support";

/** The runtime reads nothing from the process: its clock, log, environment and directory are given. */
describe("the Pulumi runtime's host", () => {
  it("logs through the host's logger and opens the backend the host's environment names, in the host's directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seatplan-runtime-"));
    try {
      writeDemoState(join(dir, "state.json"));
      const lines: string[] = [];
      const runtime = createRuntime({
        now: () => new Date(DEMO_NOW),
        log: (line) => lines.push(line),
        env: { SEATPLAN_SIMULATOR_STATE: "state.json", SEATPLAN_NOW: DEMO_NOW },
        cwd: () => dir,
      });
      const props = { customerKey: "rockit", subscriptionKey: "premium-trial", customerTenantId: ROCKIT, status: "deleted", removed: "cancel" } as unknown as SubscriptionOutputs;
      await runtime.remove(DEMO_SUBSCRIPTIONS.premiumTrial, props);
      expect(lines).toEqual([`seatplan: rockit/premium-trial: subscription ${DEMO_SUBSCRIPTIONS.premiumTrial} is already cancelled; nothing to do`]);
      // A subscription gone from the tenant is read as removed, from the state file in `cwd`.
      expect(await runtime.read("no-such-subscription", { ...props, status: "active" } as SubscriptionOutputs)).toEqual({ id: "", props: {} });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
