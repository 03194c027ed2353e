import { ValidationError } from "@provisio/core/shared/errors"
import { parse } from "csv-parse"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"

/** A row of a CSV file, keyed by the lower-cased names of its first line, with its line number. */
export interface CsvRow {
  readonly record: Record<string, string | undefined>
  readonly info: { readonly lines: number }
}

/**
 * The rows of a CSV file whose first line names the columns, parsed by csv-parse as the file is
 * read (a byte-order mark, blank lines and padding are ignored). `checkHeader` gets the names
 * trimmed and lower-cased and throws to refuse them; a problem stops the stream as a
 * `ValidationError` naming the file.
 */
export const csvRows = (path: string, checkHeader: (names: ReadonlyArray<string>) => void): Stream.Stream<CsvRow, ValidationError> =>
  Stream.fromAsyncIterable(
    fs.createReadStream(path).pipe(parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      columns: (header: Array<string>) => {
        const names = header.map((name) => name.trim().toLowerCase())
        checkHeader(names)
        return names
      }
    })) as AsyncIterable<CsvRow>,
    (error) => new ValidationError({ message: `${path}: ${(error as Error).message}` })
  )
