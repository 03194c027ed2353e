/** Whether a string needs backslashes inside a quoted array element. */
const needsEscape = (value: string) => value.includes("\"") || value.includes("\\")

/**
 * An array parameter as the text of a PostgreSQL array literal, for SQL that casts it
 * (`${pgArray(ids)}::text[]`, `::int8[]`, `::numeric[]`, `::bool[]`, ...). node-postgres builds
 * one from an array element by element (two regex replaces and string concatenations each), which
 * for the tens of thousands of elements of a billing chunk made a quarter of a run's garbage in
 * Node; this is one `join` when no element is null or needs escaping, as ids, numbers and
 * decimals never do. Every element is quoted, so any text (commas, braces, spaces, "NULL") stays
 * itself.
 */
export const pgArray = (values: ReadonlyArray<string | number | boolean | null>): string => {
  if (values.length === 0) return "{}"
  let plain = !values.includes(null)
  if (plain && typeof values[0] === "string") {
    for (const value of values) {
      if (typeof value === "string" && needsEscape(value)) {
        plain = false
        break
      }
    }
  }
  if (plain) return `{"${values.join("\",\"")}"}`
  return `{${
    values.map((value) =>
      value === null
        ? "NULL"
        : typeof value === "string" && needsEscape(value)
        ? `"${value.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"")}"`
        : `"${value}"`
    ).join(",")
  }}`
}
