/**
 * The floor of `bench:validate`: a process that only loads the `yaml` package and parses the
 * file with positions (a LineCounter), as any YAML validator must. Nothing else.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: validate-floor <file>");
const lineCounter = new LineCounter();
const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter });
if (doc.errors.length > 0) process.exitCode = 1;
