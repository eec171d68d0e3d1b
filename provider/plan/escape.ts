/**
 * Tenant and YAML strings are data, never markup: a subscription named `\u001b[2J` must not
 * clear the reviewer's terminal, and one named `**approved**` must not format a PR comment.
 * Escape once, where a renderer prints the string (conventions #15).
 */

/** Control characters (C0, DEL, C1) that a terminal would act on, shown as `\uXXXX` instead. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A tenant/YAML string for a terminal: every control character made visible. */
export function forTerminal(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A tenant/YAML string for markdown (also inside a table cell): no formatting, links, HTML or line breaks. */
export function forMarkdown(text: string): string {
  return forTerminal(text)
    .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`)
    .replace(/^([-=+#])/, "\\$1");
}
