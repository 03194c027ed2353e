import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { ValidationError } from "../shared/errors.js"
import { formatDecimal, money } from "../shared/money.js"
import { excerpt, isStorableText } from "../shared/text.js"
import { parseAmount, parseBookingTime, parseCurrency } from "./fields.js"
import type { ParsedLine, ParsedStatement } from "./model.js"

/**
 * A statement as CSV (RFC 4180: fields separated by commas, quoted with `"` when they hold a
 * comma, a quote or a line break, `""` for a quote inside). The first line names the columns
 * `date,amount,currency,reference,counterparty`, in any order, others beside them ignored. A row
 * per transaction: `date` a booking date (`2026-11-20`) or date-time, `amount` positive for money
 * received and negative for money paid out, `currency` its ISO 4217 code, `reference` the
 * remittance information, `counterparty` who paid. Blank lines are skipped.
 *
 * A row is keyed by its fields and its place among identical rows, so the same file read again
 * gives the same keys, and two identical transfers on one day stay two.
 */

export const CSV_COLUMNS = ["date", "amount", "currency", "reference", "counterparty"] as const

/** The longest reference or counterparty kept. */
const MAX_TEXT = 1_000

interface Row {
  /** The line of the file the row starts on, from 1. */
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

/** The rows of RFC 4180 text, or the line where a quoted field never closes. */
const rowsOf = (text: string): Either.Either<ReadonlyArray<Row>, ValidationError> => {
  const rows: Array<Row> = []
  let fields: Array<string> = []
  let field = ""
  let quoted = false
  let line = 1
  let rowLine = 1
  let quoteLine = 1
  const endRow = () => {
    fields.push(field)
    if (fields.length > 1 || fields[0]!.trim() !== "") rows.push({ line: rowLine, fields })
    fields = []
    field = ""
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted) {
      if (char === "\"") {
        if (text[i + 1] === "\"") {
          field += "\""
          i++
        } else quoted = false
      } else {
        if (char === "\n") line++
        field += char
      }
    } else if (char === "\"" && field.trim() === "") {
      field = ""
      quoted = true
      quoteLine = line
    } else if (char === ",") {
      fields.push(field)
      field = ""
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++
      endRow()
      line++
      rowLine = line
    } else field += char
  }
  if (quoted) {
    return Either.left(ValidationError.of("body", `line ${quoteLine}: a quoted field is never closed (a "\\"" is missing)`))
  }
  if (field !== "" || fields.length > 0) endRow()
  return Either.right(rows)
}

const fail = (line: number, field: string, message: string) =>
  Either.left(ValidationError.of(field, `line ${line}: ${field}: ${message}`))

/** A free-text field: trimmed, null when empty. */
const textField = (row: Row, name: string, value: string): Either.Either<string | null, ValidationError> => {
  const trimmed = value.trim()
  if (trimmed === "") return Either.right(null)
  if (!isStorableText(trimmed)) return fail(row.line, name, "must not contain a NUL character or a lone UTF-16 surrogate")
  if (trimmed.length > MAX_TEXT) return fail(row.line, name, `must be at most ${MAX_TEXT} characters`)
  return Either.right(trimmed)
}

/** Reads a CSV statement; the first problem found is a `ValidationError` naming the line and column. */
export const readCsvStatement = (text: string): Either.Either<ParsedStatement, ValidationError> =>
  Either.gen(function* () {
    const rows = yield* rowsOf(text.replace(/^\uFEFF/, ""))
    const header = rows[0]
    if (header === undefined) {
      return yield* Either.left(ValidationError.of("body", `the statement is empty: its first line must name the columns ${CSV_COLUMNS.join(",")}`))
    }
    const names = header.fields.map((name) => name.trim().toLowerCase())
    const missing = CSV_COLUMNS.filter((name) => !names.includes(name))
    if (missing.length > 0) {
      return yield* Either.left(ValidationError.of(
        "columns",
        `line 1 must name the columns ${CSV_COLUMNS.join(",")} (missing: ${missing.join(", ")}; found: ${excerpt(names.join(","))})`
      ))
    }
    const at = (name: typeof CSV_COLUMNS[number]) => names.indexOf(name)
    const seen = new Map<string, number>()
    const lines: Array<ParsedLine> = []
    for (const row of rows.slice(1)) {
      if (row.fields.length !== names.length) {
        return yield* fail(row.line, "columns", `has ${row.fields.length} fields where line 1 names ${names.length}`)
      }
      const value = (name: typeof CSV_COLUMNS[number]) => row.fields[at(name)]!
      const bookedAt = parseBookingTime(value("date"))
      if (Option.isNone(bookedAt)) {
        return yield* fail(row.line, "date", `${JSON.stringify(excerpt(value("date")))} is not a date (2026-11-20) or an ISO 8601 date-time`)
      }
      const currency = yield* Either.mapLeft(parseCurrency(value("currency")), (message) =>
        ValidationError.of("currency", `line ${row.line}: currency: ${message}`))
      const amount = yield* Either.mapLeft(parseAmount(value("amount"), currency), (message) =>
        ValidationError.of("amount", `line ${row.line}: amount: ${JSON.stringify(excerpt(value("amount").trim()))} ${message}`))
      const reference = yield* textField(row, "reference", value("reference"))
      const counterparty = yield* textField(row, "counterparty", value("counterparty"))

      const identity = [DateTime.formatIso(bookedAt.value), formatDecimal(amount), currency, reference ?? "", counterparty ?? ""].join("\u001f")
      const occurrence = (seen.get(identity) ?? 0) + 1
      seen.set(identity, occurrence)
      lines.push({
        entry_key: `csv:${identity}\u001f${occurrence}`,
        booked_at: bookedAt.value,
        amount: money(amount, currency),
        // A CSV statement says nothing of returns: a negative row is a debit like any other.
        is_return: false,
        booked: true,
        reference,
        references: reference === null ? [] : [{ text: reference, structured: false }],
        counterparty,
        bank_reference: null,
        match_refs: []
      })
    }
    return {
      format: "csv" as const,
      statement_key: `csv:${lines.map((l) => l.entry_key).join("\n")}`,
      account: null,
      lines
    } satisfies ParsedStatement
  })
