import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Collect the garbage a phase left behind, now, before the next phase allocates on top of it.
 * Reading a big YAML file leaves about 100 MB of parser garbage (tokens, nodes, positions) that
 * V8 would otherwise collect only once the tenant's reads pile up behind it, so a plan's peak
 * RSS would be the sum of both. Best effort: does nothing where the runtime refuses.
 */
export function collectGarbage(): void {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    if (typeof gc === "function") (gc as () => void)();
  } catch {
    // Not available in this runtime: V8 collects on its own schedule.
  }
}
