import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { SimulatorBackend } from "../backends/simulator";
import { type CliIO, EXIT, processIO } from "./io";
import { main } from "./main";

/**
 * `npm run demo`: a fresh demo tenant in `.seatplan/demo.json` (dated to today, design §6), the
 * quickstart planned against it (every timing class, no blocked step), then the what-if file
 * (blocked steps with their fixes). Succeeds when the first plan is clean and the second blocks.
 */
export const DEMO_STATE = ".seatplan/demo.json";

export async function demo(io: CliIO): Promise<number> {
  const statePath = resolve(io.cwd, DEMO_STATE);
  rmSync(statePath, { force: true });
  // The demo is one of the two places that create a state file (plan refuses a missing one).
  await (await SimulatorBackend.open({ statePath })).close();
  // The demo tenant is dated to its creation; a clock override would plan another day.
  const { SEATPLAN_NOW: _ignored, ...env } = io.env;
  const demoIO: CliIO = { ...io, env: { ...env, SEATPLAN_BACKEND: "simulator", SEATPLAN_SIMULATOR_STATE: statePath } };
  io.stdout(`# seatplan plan examples/quickstart/licences.yaml   (demo tenant: ${DEMO_STATE})\n\n`);
  const quickstart = await main(["node", "seatplan", "plan", "examples/quickstart/licences.yaml"], demoIO);
  io.stdout(`\n# seatplan plan examples/quickstart/what-if.yaml   (changes the rules refuse; exit 1 is expected)\n\n`);
  const whatIf = await main(["node", "seatplan", "plan", "examples/quickstart/what-if.yaml"], demoIO);
  io.stdout(`\nTry: SEATPLAN_SIMULATOR_STATE=${DEMO_STATE} npx seatplan plan examples/quickstart/licences.yaml --format markdown\n`);
  return quickstart === EXIT.ok && whatIf === EXIT.error ? EXIT.ok : EXIT.error;
}

if (require.main === module) {
  demo(processIO()).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`seatplan demo: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.error;
    },
  );
}
