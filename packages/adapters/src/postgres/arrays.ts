import type { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"

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

/** A column of a bulk write: the PostgreSQL type of its array and the values, one a row. */
export interface Column<A extends string | number | boolean | null = string | number | boolean | null> {
  readonly type: "text" | "int4" | "int8" | "numeric" | "bool" | "timestamptz"
  readonly values: Array<A>
}

/** An empty column of `type`, filled by the caller (one pass over the rows fills them all). */
export const column = <A extends string | number | boolean | null>(type: Column["type"]): Column<A> => ({ type, values: [] })

/**
 * The rows of a bulk write as one set: `unnest($1::text[], $2::int8[], ...) [with ordinality]
 * as r(a, b, ... [, n])`. Each column is named, typed and given once, in `columns`: the names
 * are the set's, in the order given. One statement for any number of rows.
 */
export const unnestRows = (
  sql: SqlClient,
  columns: Readonly<Record<string, Column>>,
  options: { readonly alias?: string; readonly ordinality?: string } = {}
): Fragment => {
  const names = Object.keys(columns)
  const arrays = names.map((name) => sql`${pgArray(columns[name]!.values)}::${sql.literal(columns[name]!.type)}[]`)
  const as = [...names, ...(options.ordinality === undefined ? [] : [options.ordinality])].join(", ")
  return sql`unnest(${sql.csv(arrays)})${sql.literal(options.ordinality === undefined ? "" : " with ordinality")} as ${
    sql.literal(options.alias ?? "r")
  }(${sql.literal(as)})`
}
