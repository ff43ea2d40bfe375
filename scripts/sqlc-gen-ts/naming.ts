// Identifier conventions: SQL snake_case → camelCase fields, PascalCase query names → camelCase
// functions and PascalCase types. Whatever sqlc hands over (a duplicate, an empty name, a name
// starting with a digit, a reserved word) comes out as a valid, unique TypeScript identifier.

/**
 * Words that cannot name a module-level function or const. Property names need no escaping
 * (`args.default` is valid), so only top-level bindings go through `binding()`.
 */
const RESERVED = new Set([
  "arguments",
  "await",
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
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "undefined",
  "var",
  "void",
  "while",
  "with",
  "yield",
]);

/** `user_id` → `userId`, `GetOrder` → `getOrder`, `1st` → `_1st`, `` → `_`. */
export function camel(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const joined = words
    .map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() : w.charAt(0).toUpperCase()) + w.slice(1))
    .join("");
  return joined === "" || /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** `get_order` → `GetOrder`: the stem of a query's type names (`GetOrderArgs`, `GetOrderRow`). */
export function pascal(name: string): string {
  const c = camel(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** A camelCase name usable as a module-level binding: `delete` → `delete_`. */
export function binding(name: string): string {
  const c = camel(name);
  return RESERVED.has(c) ? `${c}_` : c;
}

/**
 * Makes names unique: sqlc names two parameters compared with the same column alike. Repeats get
 * the first free suffix 2, 3...; a name sqlc gave (say `id2`) stays with its own holder.
 */
export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set(names);
  const kept = new Set<string>();
  return names.map((name) => {
    if (!kept.has(name)) {
      kept.add(name);
      return name;
    }
    let n = 2;
    while (used.has(`${name}${n}`)) n++;
    used.add(`${name}${n}`);
    return `${name}${n}`;
  });
}
