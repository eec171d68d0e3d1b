import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { decodeText, formatIssues, parseDesired } from "../desired";
import type { DesiredState, Issue } from "../domain/types";

/**
 * Reading a desired-state file: the I/O edge in front of the pure `parseDesired`. Shared by
 * every command (and the Pulumi program helper) so a missing file, a directory or bad bytes are
 * reported the same way everywhere, named as the user wrote the path.
 */
export type DesiredFile =
  | { readonly ok: true; readonly state: DesiredState; readonly issues: readonly Issue[] }
  /** Parsed, with problems: `issues` lists them all. */
  | { readonly ok: false; readonly kind: "invalid"; readonly issues: readonly Issue[]; readonly message: string }
  /** Not readable as UTF-8 text at all: `message` is one line saying why and what to do. */
  | { readonly ok: false; readonly kind: "unreadable"; readonly issues: readonly Issue[]; readonly message: string };

export async function readDesiredFile(file: string, cwd: string): Promise<DesiredFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (e) {
    return { ok: false, kind: "unreadable", issues: [], message: unreadable(file, cwd, (e as NodeJS.ErrnoException).code) };
  }
  const decoded = decodeText(bytes, file);
  if (!decoded.ok) return { ok: false, kind: "unreadable", issues: [], message: decoded.message };
  const { state, issues } = parseDesired(decoded.text, file);
  if (state === undefined) {
    return { ok: false, kind: "invalid", issues, message: `${formatIssues(issues)}${file}: ${count(issues.length, "problem")}` };
  }
  return { ok: true, state, issues };
}

function unreadable(file: string, cwd: string, code: string | undefined): string {
  switch (code ?? "") {
    case "ENOENT":
      return `${file} does not exist: check the path${isAbsolute(file) ? "" : ` (relative to ${cwd})`}`;
    case "EISDIR":
      return `${file} is a directory: name the YAML file inside it, e.g. ${file.replace(/\/+$/, "")}/licences.yaml`;
    case "EACCES":
    case "EPERM":
      return `${file} cannot be read: permission denied`;
    default:
      return `${file} cannot be read (${code ?? "unknown error"})`;
  }
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
