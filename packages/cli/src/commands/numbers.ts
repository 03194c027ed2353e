import { Args, Command, Options } from "@effect/cli"
import { Identity } from "@provisio/core/identity/service"
import { type NumberRow, Numbers, type RejectedRow } from "@provisio/core/numbers/service"
import { ValidationError } from "@provisio/core/shared/errors"
import { parse } from "csv-parse"
import { Chunk, Clock, Effect, Option, Stream } from "effect"
import * as fs from "node:fs"
import { AppLive } from "../database"
import { bootstrap } from "./serve"

/** Rows per batch: each batch is one transaction, one insert statement per placement in it. */
export const IMPORT_CHUNK = 5_000

/** Where the import reports: a terminal gets one line updated in place, anything else plain lines. */
export interface ImportOutput {
  readonly tty: boolean
  /** Writes text as is (no newline added). */
  readonly write: (text: string) => Effect.Effect<void>
}

export const stdoutOutput: ImportOutput = {
  tty: process.stdout.isTTY === true,
  write: (text) => Effect.sync(() => void process.stdout.write(text))
}

export interface ImportSummary {
  readonly file: string
  readonly rows: number
  readonly added: number
  readonly already_present: number
  readonly rejected: ReadonlyArray<RejectedRow>
  readonly seconds: number
}

/** How many rejected rows the summary lists one by one; the rest are counted. */
const LISTED_REJECTIONS = 100

const COLUMNS = ["number", "product_id", "country", "city"]

const count = (n: number) => n.toLocaleString("en-US")

const duration = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`
}

/** The file's data rows, about: its line count less the header (for the progress bar's total). */
const countRows = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      let lines = 0
      let last = 10
      for await (const chunk of fs.createReadStream(path) as AsyncIterable<Buffer>) {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
        if (chunk.length > 0) last = chunk[chunk.length - 1]!
      }
      return Math.max(0, lines + (last === 10 ? 0 : 1) - 1)
    },
    catch: (error) => new ValidationError({ message: `cannot read ${path}: ${(error as Error).message}` })
  })

interface CsvRecord {
  readonly record: Record<string, string | undefined>
  readonly info: { readonly lines: number }
}

/** The file's records with their line numbers, parsed by csv-parse as they are read. */
const records = (path: string) =>
  Stream.fromAsyncIterable(
    fs.createReadStream(path).pipe(parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      columns: (header: Array<string>) => {
        const names = header.map((name) => name.trim().toLowerCase())
        if (!names.includes("number") || !names.includes("country")) {
          throw new Error(
            `the first line must name the columns: number, country, and optionally product_id and city (found: ${names.join(", ")})`
          )
        }
        const unknown = names.filter((name) => !COLUMNS.includes(name))
        if (unknown.length > 0) throw new Error(`unknown column(s) ${unknown.join(", ")}; the columns are ${COLUMNS.join(", ")}`)
        return names
      }
    })) as AsyncIterable<CsvRecord>,
    (error) => new ValidationError({ message: `${path}: ${(error as Error).message}` })
  )

/**
 * The progress of an import: on a terminal one line rewritten with `\r` (count, rate, ETA);
 * elsewhere a plain line every `every` rows, so logs stay readable.
 */
const progressReporter = (output: ImportOutput, total: number, started: number, every = 50_000) => {
  let lastPrinted = 0
  const line = (done: number, now: number) => {
    const seconds = Math.max((now - started) / 1000, 0.001)
    const rate = done / seconds
    const shown = Math.max(total, done)
    const percent = shown === 0 ? 100 : (100 * done) / shown
    const eta = rate > 0 ? (shown - done) / rate : 0
    return `${count(done)} / ${count(shown)} rows (${percent.toFixed(1)}%), ${count(Math.round(rate))} numbers/s, ` +
      `ETA ${duration(eta)}`
  }
  return {
    update: (done: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (output.tty) return output.write(`\r  ${line(done, now).padEnd(78)}`)
        if (done - lastPrinted < every) return Effect.void
        lastPrinted = done
        return output.write(`  ${line(done, now)}\n`)
      }),
    finish: (done: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        output.tty
          ? output.write(`\r  ${line(done, now).padEnd(78)}\n`)
          : done === lastPrinted
          ? Effect.void
          : output.write(`  ${line(done, now)}\n`))
  }
}

/**
 * The command's work on whatever database the context has: reads the CSV (columns `number`,
 * `product_id`, `country`, `city`; `product_id` may come from `--product` instead) and adds its
 * numbers as the platform operator in batches of `IMPORT_CHUNK`, through the same set-based insert
 * as `POST /numbers`. Bad rows are rejected with their line and reason, the others go in; numbers
 * already in the inventory are counted, not added again.
 */
export const importNumbersFile = (
  path: string,
  options: { readonly product?: string | undefined; readonly output?: ImportOutput } = {}
) =>
  Effect.gen(function* () {
    const output = options.output ?? stdoutOutput
    const identity = yield* Identity
    const numbers = yield* Numbers
    const operator = yield* identity.platformOperator
    const importBatch = yield* numbers.numberImporter(operator)
    const total = yield* countRows(path)
    const started = yield* Clock.currentTimeMillis
    const progress = progressReporter(output, total, started)
    let rows = 0
    let added = 0
    let already = 0
    const rejected: Array<RejectedRow> = []

    yield* output.write(`Importing ${path} (${count(total)} rows)\n`)
    yield* records(path).pipe(
      Stream.map(({ info, record }): NumberRow => ({
        line: info.lines,
        number: record["number"] ?? "",
        product_id: record["product_id"] || options.product || "",
        country: record["country"] ?? "",
        city: record["city"] || null
      })),
      Stream.grouped(IMPORT_CHUNK),
      Stream.runForEach((chunk) =>
        Effect.gen(function* () {
          const batch = yield* importBatch(Chunk.toReadonlyArray(chunk))
          rows += chunk.length
          added += batch.added
          already += batch.already_present.length
          rejected.push(...batch.rejected)
          yield* progress.update(rows)
        })
      ),
      // Whatever happens, the line in progress is ended before anything else is printed.
      Effect.ensuring(Effect.suspend(() => progress.finish(rows)))
    )
    const seconds = ((yield* Clock.currentTimeMillis) - started) / 1000
    const lines = [
      `${path}: ${count(added)} added, ${count(already)} already present, ${count(rejected.length)} rejected ` +
        `(${count(rows)} rows in ${seconds.toFixed(1)} s)`,
      ...rejected.slice(0, LISTED_REJECTIONS).map((row) =>
        `  line ${row.line} (${row.number === "" ? "no number" : row.number}): ${row.field}: ${row.reason}`
      ),
      ...(rejected.length > LISTED_REJECTIONS ? [`  ... and ${count(rejected.length - LISTED_REJECTIONS)} more rejected`] : [])
    ]
    yield* output.write(`${lines.join("\n")}\n`)
    return { file: path, rows, added, already_present: already, rejected, seconds } satisfies ImportSummary
  })

const file = Args.file({ name: "file.csv", exists: "yes" }).pipe(
  Args.withDescription("A CSV file whose first line names the columns: number, country, and optionally product_id and city")
)

const product = Options.text("product").pipe(
  Options.withDescription("The product (prd_...) of rows that name none"),
  Options.optional
)

const importCommand = Command.make("import", { file, product }, ({ file, product }) =>
  Effect.gen(function* () {
    yield* bootstrap
    yield* importNumbersFile(file, { product: Option.getOrUndefined(product) })
  }).pipe(Effect.provide(AppLive))
).pipe(
  Command.withDescription(
    "Add the numbers of a CSV file to the inventory as available, in batches of 5,000; numbers already " +
      "there are counted, not added again; bad rows are listed with their line and reason"
  )
)

export const numbers = Command.make("numbers").pipe(
  Command.withDescription("Manage the number inventory"),
  Command.withSubcommands([importCommand])
)
