/**
 * The simulator's one addition to the Partner Center wire format (not Partner Center): its
 * facade reports its explicit clock on every API response, so a client plans at the instant the
 * simulated tenant is in. Partner Center sends no such header; the real clock applies there.
 * The simulator writes it (`simulator/server.ts`); the client reads it in one place
 * (`client/server-clock.ts`).
 */
export const SIMULATOR_CLOCK_HEADER = "X-Seatplan-Simulator-Now";
