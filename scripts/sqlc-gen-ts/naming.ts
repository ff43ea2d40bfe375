// Identifier conventions: SQL snake_case → camelCase fields, PascalCase query names → camelCase
// functions, and anything else made into a valid, non-reserved identifier.

const RESERVED = new Set([
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "let",
  "static",
  "implements",
  "interface",
  "package",
  "private",
  "protected",
  "public",
  "await",
  "args",
  "db",
  "signal",
]);

export function camel(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const joined = words
    .map((w, i) =>
      i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join("");
  const safe = /^[0-9]/.test(joined) || joined === "" ? `_${joined}` : joined;
  return RESERVED.has(safe) ? `${safe}_` : safe;
}

export function pascal(name: string): string {
  const c = camel(name).replace(/_$/, "");
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** Makes names unique by suffixing repeats with 2, 3...: sqlc may name two params alike. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}${n}`;
  });
}
