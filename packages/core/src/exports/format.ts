import type { ExportColumn, ExportFormat, ExportKind, ExportRow } from "./model.js"

/**
 * How export rows are written. CSV follows RFC 4180: a header line, CRLF line ends, a field in
 * double quotes when it holds a comma, a quote, CR or LF (a quote doubled inside), null as an
 * empty field. NDJSON is one JSON object per line, LF-ended: decimals stay strings (money is
 * never a float), integers are numbers, null is null.
 */

const NEEDS_QUOTES = /[",\r\n]/

export const csvField = (value: string | null): string =>
  value === null ? "" : NEEDS_QUOTES.test(value) ? `"${value.replaceAll("\"", "\"\"")}"` : value

export const csvLine = (values: ReadonlyArray<string | null>): string => `${values.map(csvField).join(",")}\r\n`

export const csvHeader = (columns: ReadonlyArray<ExportColumn>): string => csvLine(columns.map((c) => c.name))

export const csvRow = (columns: ReadonlyArray<ExportColumn>, row: ExportRow): string =>
  csvLine(columns.map((c) => row[c.name] ?? null))

export const ndjsonRow = (columns: ReadonlyArray<ExportColumn>, row: ExportRow): string => {
  const record: Record<string, string | number | null> = {}
  for (const column of columns) {
    const value = row[column.name] ?? null
    record[column.name] = value !== null && column.type === "integer" ? Number(value) : value
  }
  return `${JSON.stringify(record)}\n`
}

/** The first text of the export: CSV's header line; NDJSON has none. */
export const preamble = (format: ExportFormat, columns: ReadonlyArray<ExportColumn>): string =>
  format === "csv" ? csvHeader(columns) : ""

/** Many rows as one piece of text (a batch is written at once). */
export const formatRows = (format: ExportFormat, columns: ReadonlyArray<ExportColumn>, rows: ReadonlyArray<ExportRow>) => {
  const write = format === "csv" ? csvRow : ndjsonRow
  // One join, not a rope of thousands of concatenations that lives until it is encoded.
  return rows.map((row) => write(columns, row)).join("")
}

export const mediaType = (format: ExportFormat): string =>
  format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"

/** `provisio-invoice-lines-2026-11.csv`: what the download and the CLI name the file. */
export const exportFilename = (kind: ExportKind, period: string, format: ExportFormat): string =>
  `provisio-${kind}-${period}.${format}`
