import { SIMULATOR_CLOCK_HEADER } from "../wire/simulator";

/**
 * All the client knows about simulators: a simulator reports its explicit clock in
 * {@link SIMULATOR_CLOCK_HEADER} on every API answer, and a plan is computed at that instant
 * (the simulated tenant may be days away from the real clock). Partner Center sends no such
 * header: once an answer without it has arrived, the real clock applies.
 */
export class ServerClock {
  private clock: string | null = null;
  private answered = false;

  /** Sees one answer's headers (lower-case names). */
  observe(headers: Readonly<Record<string, string>>): void {
    this.answered = true;
    const value = headers[SIMULATOR_CLOCK_HEADER.toLowerCase()];
    if (value !== undefined && !Number.isNaN(Date.parse(value))) this.clock = new Date(value).toISOString();
  }

  /** The server's clock as of its last answer; null when it reports none (or has not answered yet). */
  current(): string | null {
    return this.clock;
  }

  /** True once any answer arrived, with or without a clock. */
  hasAnswered(): boolean {
    return this.answered;
  }
}
