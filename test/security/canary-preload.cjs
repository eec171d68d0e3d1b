"use strict";
// Preloaded (node --require) into a seatplan child process by the canary tests: a process-level
// seam, not a mock. Global fetch — the transport seatplan gives MSAL — sends the real authority
// (https://login.microsoftonline.com) to the local test server instead, and every credential a
// token response carries is appended to a file, so the test can search every output for it.
const { appendFileSync } = require("node:fs");
const AUTHORITY = "https://login.microsoftonline.com";
const target = process.env.CANARY_TOKEN_URL;
const record = process.env.CANARY_TOKENS_FILE;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith(AUTHORITY)) {
    if (!target) throw new Error("canary preload: CANARY_TOKEN_URL is not set");
    url = target + url.slice(AUTHORITY.length);
  } else if (/^https:/.test(url)) {
    throw new Error(`canary preload: refusing ${url}; tests never reach the internet`);
  }
  const response = await realFetch(url, init);
  if (record && /oauth2/.test(url)) {
    const body = await response.clone().text();
    try {
      const json = JSON.parse(body);
      for (const k of ["access_token", "refresh_token", "id_token"]) if (typeof json[k] === "string") appendFileSync(record, `${json[k]}\n`);
    } catch {
      // not JSON: nothing to record
    }
  }
  return response;
};
