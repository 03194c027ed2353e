import { Identity } from "@provisio/core/identity/service"
import { type NumberRow, Numbers, type RejectedRow } from "@provisio/core/numbers/service"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { AppLive } from "../database/layers.js"
import { count, countLines, type ImportOutput, progressReporter, stdoutOutput } from "../progress.js"
import { bootstrap } from "../bootstrap.js"
import { csvRows } from "../csv.js"

/** Rows per batch: each batch is one transaction, one insert statement per placement in it. */
export const IMPORT_CHUNK = 5_000

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

/** The file's rows with their line numbers; the first line names the columns. */
const records = (path: string) =>
  csvRows(path, (names) => {
    if (!names.includes("number") || !names.includes("country")) {
      throw new Error(
        `the first line must name the columns: number, country, and optionally product_id and city (found: ${names.join(", ")})`
      )
    }
    const unknown = names.filter((name) => !COLUMNS.includes(name))
    if (unknown.length > 0) throw new Error(`unknown column(s) ${unknown.join(", ")}; the columns are ${COLUMNS.join(", ")}`)
  })

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
    const total = Math.max(0, (yield* countLines(path)) - 1) // less the header
    const started = yield* Clock.currentTimeMillis
    const progress = progressReporter(output, total, started, { items: "rows", rate: "numbers", eta: true })
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

/** `provisio numbers import`: bootstraps an empty database first. */
export const importNumbers = ({ file, product }: { readonly file: string; readonly product: Option.Option<string> }) =>
  Effect.gen(function* () {
    yield* bootstrap
    yield* importNumbersFile(file, { product: Option.getOrUndefined(product) })
  }).pipe(Effect.provide(AppLive))
