#!/usr/bin/env node
"use strict";
// `npm run demo` and friends: compile only when a source is newer than the build. Right after
// `npm ci` (whose `prepare` builds) this costs a directory walk, not a compilation.
const { spawnSync } = require("node:child_process");
const { readdirSync, statSync } = require("node:fs");
const { join } = require("node:path");

const ROOT = join(__dirname, "..");
/** Outputs every build rewrites; the oldest of them is when the last build finished. */
const OUTPUTS = ["dist/provider/index.js", "dist/provider/cli/main.js", "dist/provider/cli/commands/demo.js"];
const INPUTS = ["package.json", "tsconfig.json", "tsconfig.build.json"];

function mtime(file) {
  try {
    return statSync(join(ROOT, file)).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestUnder(path));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, mtime(path) ?? 0);
  }
  return newest;
}

const built = OUTPUTS.map(mtime);
const builtAt = built.includes(undefined) ? -1 : Math.min(...built);
const changedAt = Math.max(newestUnder("provider"), ...INPUTS.map((f) => mtime(f) ?? 0));
if (builtAt < changedAt) {
  const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
  const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}
