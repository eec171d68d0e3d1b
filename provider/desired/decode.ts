/** The text of a desired-state file, or why its bytes cannot be one. */
export type DecodedText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

const BLANK = /^\s*$/;

/**
 * Turns the bytes of `file` into text: UTF-8 only (a leading BOM is dropped), not blank.
 * Pure; the caller reads the file. Messages start with the file name and say what to do.
 */
export function decodeText(bytes: Uint8Array, file: string): DecodedText {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, message: `${file} is UTF-16 text: save it as UTF-8` };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidByte(bytes);
    const line = bytes.subarray(0, offset).reduce((n, b) => (b === 0x0a ? n + 1 : n), 1);
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, "0");
    return { ok: false, message: `${file} is not UTF-8 text (byte 0x${byte} on line ${line}): save it as UTF-8` };
  }
  if (BLANK.test(text)) return { ok: false, message: `${file} is empty: start it with "version: 1" and a "customers:" mapping` };
  return { ok: true, text };
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629 table 3-7). */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const continuation = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (continuation === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= continuation; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return i;
    }
    i += continuation + 1;
  }
  return bytes.length;
}
