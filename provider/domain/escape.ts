/**
 * Output encoding of untrusted text (conventions habit 15): a subscription's friendly name, an
 * offer id or a status read from a tenant, a key or value read from a YAML. Applied once, where
 * the text is printed — the renderers and the CLI's error line — never to the data itself.
 */

/** C0 controls, DEL, C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same, but line breaks and tabs stay (a multi-line message printed as such). */
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides and isolates, zero-width and line/paragraph separators: they make
 *  what a reviewer sees differ from what the text is (CVE-2021-42574, "Trojan Source"). */
const INVISIBLE = /[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  // U+2400..U+241F are the control pictures of C0 (␛ for ESC, ␊ for a line feed); ␡ for DEL.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return "\u2421";
  return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
}

/**
 * Text for one line of a terminal: every control character (ANSI and OSC escape sequences start
 * with one, line breaks included) and every invisible direction change shown as a visible symbol,
 * so nothing a tenant wrote can move the cursor, recolour, retitle or fake a line of the output.
 */
export function terminalText(s: string): string {
  return s.replace(CONTROL, visible).replace(INVISIBLE, visible);
}

/** {@link terminalText} for a message that is meant to span lines: line breaks and tabs stay. */
export function terminalLines(s: string): string {
  return s.replace(CONTROL_BUT_LINES, visible).replace(INVISIBLE, visible);
}

/**
 * Text for a Markdown pull-request comment (GitHub-flavoured, HTML allowed): HTML is escaped,
 * Markdown punctuation that could start a link, an image, code, emphasis or a table cell is
 * backslash-escaped, and line breaks become spaces — the text renders as the characters it is.
 */
export function markdownText(s: string): string {
  return terminalText(s.replace(/[\r\n]+/g, " "))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|!~]/g, (c) => `\\${c}`);
}
