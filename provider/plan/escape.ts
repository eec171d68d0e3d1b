import { markdownText, terminalText } from "../domain/escape";

/**
 * Tenant and YAML strings are data, never markup: a subscription named `\u001b[2J` must not
 * clear the reviewer's terminal, and one named `**approved**` must not format a PR comment.
 * Escape once, where a renderer prints the string (conventions #15). One implementation:
 * `domain/escape.ts`; these names stay for the renderers that use them.
 */

/** A tenant/YAML string for a terminal: every control character made visible. */
export const forTerminal: (text: string) => string = terminalText;

/** A tenant/YAML string for markdown (also inside a table cell): no formatting, links, HTML or line breaks. */
export const forMarkdown: (text: string) => string = markdownText;
