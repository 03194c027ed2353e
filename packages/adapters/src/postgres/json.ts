import { MINOR_UNITS } from "@provisio/core/shared/money"

/** A json column: parsed already by node-postgres, text from PGlite's adapter. */
export const parseJson = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value)

/** Every json column of a row parsed (`parseJson`). */
export const parseJsonColumns = (row: unknown): unknown => {
  if (typeof row !== "object" || row === null) return row
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, parseJson(value)]))
}

// SQL that writes values the way the API's schemas encode them, for JSON built by the database.

/** A timestamptz as `Timestamp` encodes it (`DateTime.formatIso`: UTC, milliseconds, "Z"); null stays null. */
export const isoSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** The digits after the point of the currency in `currency` (a text expression). */
export const minorUnitsSql = (currency: string) =>
  `case ${currency} ${Object.entries(MINOR_UNITS).map(([code, digits]) => `when '${code}' then ${digits}`).join(" ")} end`

/** `{ amount, currency }` as `Money` encodes it: the amount with its currency's digits ("0.00", "100" for JPY). */
export const moneySql = (amount: string, currency: string) =>
  `json_build_object('amount', coalesce(round(${amount}, ${minorUnitsSql(currency)})::text, ${amount}::text), 'currency', ${currency})`

// Instants as epoch milliseconds: exact, cheaper to write and read than ISO text, and free of the
// session time zone.

/** A timestamptz as epoch milliseconds (float8, which node-postgres reads as a number). */
export const epochMillisSql = (column: string) => `floor(extract(epoch from ${column}) * 1000)::float8`

/** Epoch milliseconds (an int8 expression) as a timestamptz. */
export const fromEpochMillisSql = (millis: string) => `timestamptz 'epoch' + ${millis} * interval '1 millisecond'`
