/**
 * JSON with its object keys sorted and no whitespace, so two equal values compare equal as text:
 * a read-only field sent back as it was read, an idempotent retry whose body only differs in
 * spacing or key order. Arrays keep their order; numbers are written as JavaScript reads them.
 */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      // fromEntries defines own properties, so a "__proto__" key stays a key.
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v)
