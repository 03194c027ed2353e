/** `tiers[0].unit_price`: the same notation the core's own rules use for a field inside a list. */
export const fieldPath = (path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>(
    (out, key) => typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`,
    ""
  )
