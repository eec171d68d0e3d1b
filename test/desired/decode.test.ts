import { describe, expect, it } from "vitest";
import { decodeText } from "../../provider/desired";

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

describe("decodeText", () => {
  it.each([
    ["a lone continuation byte", bytes("a: 1\n", [0x80]), "f.yaml is not UTF-8 text (byte 0x80 on line 2): save it as UTF-8"],
    ["an overlong encoding of '/'", bytes([0xc0, 0xaf]), "f.yaml is not UTF-8 text (byte 0xc0 on line 1): save it as UTF-8"],
    ["an encoded surrogate", bytes("x\ny\n", [0xed, 0xa0, 0x80]), "f.yaml is not UTF-8 text (byte 0xed on line 3): save it as UTF-8"],
    ["a code point above U+10FFFF", bytes([0xf4, 0x90, 0x80, 0x80]), "f.yaml is not UTF-8 text (byte 0xf4 on line 1): save it as UTF-8"],
    ["a sequence cut off at the end", bytes("name: caf", [0xc3]), "f.yaml is not UTF-8 text (byte 0xc3 on line 1): save it as UTF-8"],
    ["a UTF-16 big-endian file", bytes([0xfe, 0xff, 0x00, 0x61]), "f.yaml is UTF-16 text: save it as UTF-8"],
    ["nothing but whitespace", bytes(" \n\t\n"), 'f.yaml is empty: start it with "version: 1" and a "customers:" mapping'],
  ])("refuses %s", (_what, input, message) => {
    expect(decodeText(input, "f.yaml")).toEqual({ ok: false, message });
  });

  it("keeps multi-byte characters and drops a byte-order mark", () => {
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], "name: Café 東京 🎫\n"), "f.yaml")).toEqual({ ok: true, text: "name: Café 東京 🎫\n" });
  });
});
