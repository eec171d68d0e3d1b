#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on `npm ci`).
let main;
try {
  ({ main } = require("../dist/provider/cli/main.js"));
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes("dist/provider/cli/main.js")) {
    process.stderr.write("seatplan: the CLI is not built; run `npm run build` (or `npm ci`) first\n");
    process.exit(1);
  }
  throw e;
}
main(process.argv).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`seatplan: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
