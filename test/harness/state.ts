// The harness's stack state: a JSON file standing in for a Pulumi checkpoint. Like a checkpoint,
// it keeps inputs and outputs per URN and never holds a secret in plaintext: secret values are
// written as `{<sig>: <secret sig>, ciphertext}` and decrypted only in memory.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { type Json, type Props, SECRET_SIG, SIG_KEY } from "./sdk";

/** One resource as recorded after an operation. */
export interface ResourceState {
  urn: string;
  type: string;
  /** false for components and the root stack. */
  custom: boolean;
  /** Parent URN, "" for the root stack. */
  parent: string;
  /** Provider id, "" for components. */
  id: string;
  /** Checked inputs, as the last create/update/same step stored them (secrets as envelopes). */
  inputs: Props;
  /** Outputs (for the root stack: the stack outputs). */
  outputs: Props;
  /** Set when the last create/update reached the provider but failed (ErrorResourceInitFailed). */
  initErrors?: string[];
}

export interface StackState {
  version: 1;
  resources: ResourceState[];
}

export const emptyState = (): StackState => ({ version: 1, resources: [] });

// Encryption only keeps plaintext out of the file, as the CLI's secrets provider does; the key is
// not a secret (this is a test harness), so a state file written by one harness reads in the next.
const KEY = Buffer.from("seatplan-test-harness-state-key!", "utf8");

export function isSecret(value: unknown): value is { [SIG_KEY]: string; value: Json } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function secret(value: Json): Json {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** Reads a state file; a missing file is an empty stack. */
export function readState(path: string): StackState {
  if (!fs.existsSync(path)) return emptyState();
  return mapSecrets(JSON.parse(fs.readFileSync(path, "utf8")) as Json, decrypt) as unknown as StackState;
}

/** Writes a state file atomically, encrypting every secret envelope. */
export function writeState(path: string, state: StackState): void {
  const text = `${JSON.stringify(mapSecrets(state as unknown as Json, encrypt), null, 2)}\n`;
  fs.writeFileSync(`${path}.tmp`, text);
  fs.renameSync(`${path}.tmp`, path);
}

function mapSecrets(value: Json, f: (envelope: Record<string, Json>) => Json): Json {
  if (Array.isArray(value)) return value.map((v) => mapSecrets(v, f));
  if (typeof value !== "object" || value === null) return value;
  if (value[SIG_KEY] === SECRET_SIG) return f(value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, f)]));
}

function encrypt(envelope: Record<string, Json>): Json {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", KEY, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(envelope["value"] ?? null), "utf8"), cipher.final()]);
  return { [SIG_KEY]: SECRET_SIG, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64") };
}

function decrypt(envelope: Record<string, Json>): Json {
  const raw = Buffer.from(String(envelope["ciphertext"]), "base64");
  const decipher = createDecipheriv("aes-256-gcm", KEY, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  return secret(JSON.parse(plain) as Json);
}

/** True if the value is or contains a secret envelope. */
export function containsSecret(value: Json): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecret);
  return false;
}

/** The provider never sees secrets (it answered acceptSecrets=false): envelopes are replaced by their values. */
export function stripSecrets(value: Json): Json {
  if (isSecret(value)) return stripSecrets(value.value);
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripSecrets(v)]));
  }
  return value;
}

export function stripProps(props: Props): Props {
  return stripSecrets(props) as Props;
}

/**
 * Re-applies secrecy after a provider call, as the engine's `annotateSecrets` does at the top
 * level: an output is secret when the same-named input contained a secret.
 */
export function annotateSecrets(outputs: Props, inputs: Props): Props {
  return Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => {
      const input = inputs[k];
      return [k, input !== undefined && containsSecret(input) && !isSecret(v) ? secret(v) : v];
    }),
  );
}
