"use strict";
// Preloaded into a benchmarked child (--require): prints its peak RSS on stderr as it exits.
process.on("exit", () => {
  process.stderr.write(`peak-rss-kib=${process.resourceUsage().maxRSS}\n`);
});
