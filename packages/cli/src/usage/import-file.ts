import { Identity } from "@provisio/core/identity/service"
import { ValidationError } from "@provisio/core/shared/errors"
import { MAX_USAGE_BATCH, type RejectionCode } from "@provisio/core/usage/model"
import { UsageService } from "@provisio/core/usage/service"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as readline from "node:readline"
import { AppLive } from "../database/layers.js"
import { count, countLines, type ImportOutput, progressReporter, stdoutOutput } from "../progress.js"
import { bootstrap } from "../bootstrap.js"
import { csvRows } from "../csv.js"

/** A record of the file that was not stored, with its line. */
export interface RejectedLine {
  readonly line: number
  readonly code: RejectionCode
  readonly message: string
}

export interface UsageImportSummary {
  readonly file: string
  readonly records: number
  readonly accepted: number
  readonly duplicates: number
  readonly rejected: ReadonlyArray<RejectedLine>
  readonly seconds: number
}

/** How many rejected records the summary lists one by one; the rest are counted. */
const LISTED_REJECTIONS = 20

const COLUMNS = ["transaction_id", "subscription_id", "sku_id", "quantity", "occurred_at"]

/** A record read from the file with its line, or why the line is not one. */
type FileRecord =
  | { readonly line: number; readonly record: unknown }
  | { readonly line: number; readonly invalid: string }

const readError = (path: string) => (error: unknown) => new ValidationError({ message: `${path}: ${(error as Error).message}` })

/** CSV whose first line names the columns. */
const csvRecords = (path: string): Stream.Stream<FileRecord, ValidationError> =>
  csvRows(path, (names) => {
    const missing = COLUMNS.filter((name) => !names.includes(name))
    if (missing.length > 0) {
      throw new Error(`the first line must name the columns ${COLUMNS.join(", ")} (missing: ${missing.join(", ")})`)
    }
  }).pipe(Stream.map(({ info, record }): FileRecord => ({ line: info.lines, record })))

/** One JSON object per line; blank lines are skipped, a line that is not JSON is rejected on its own. */
const ndjsonRecords = (path: string): Stream.Stream<FileRecord, ValidationError> =>
  Stream.suspend(() => {
    let line = 0
    return Stream.fromAsyncIterable(
      readline.createInterface({ input: fs.createReadStream(path), crlfDelay: Infinity }),
      readError(path)
    ).pipe(
      Stream.map((text) => ({ line: ++line, text: text.trim() })),
      Stream.filter(({ text }) => text !== ""),
      Stream.map(({ line, text }): FileRecord => {
        try {
          return { line, record: JSON.parse(text) as unknown }
        } catch (error) {
          return { line, invalid: `the line is not JSON: ${(error as Error).message}` }
        }
      })
    )
  })

/** The records of a `.csv` or `.ndjson` (`.jsonl`) file. */
const fileRecords = (path: string) => {
  const lower = path.toLowerCase()
  if (lower.endsWith(".csv")) return Effect.succeed(csvRecords(path))
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return Effect.succeed(ndjsonRecords(path))
  return Effect.fail(new ValidationError({ message: `${path}: the file must be .csv or .ndjson (one JSON object per line)` }))
}

/**
 * The command's work on whatever database the context has: reads the file as it goes and
 * ingests its records as the platform operator, `MAX_USAGE_BATCH` at a time, through the same use
 * case as `POST /usage`. Replayed records are counted as duplicates; rejected ones are listed
 * with their line, code and reason.
 */
export const importUsageFile = (path: string, options: { readonly output?: ImportOutput } = {}) =>
  Effect.gen(function* () {
    const output = options.output ?? stdoutOutput
    const records = yield* fileRecords(path)
    const operator = yield* (yield* Identity).platformOperator
    const usage = yield* UsageService
    // A CSV file's first line names the columns: it is not a record.
    const total = Math.max(0, (yield* countLines(path)) - (path.toLowerCase().endsWith(".csv") ? 1 : 0))
    const started = yield* Clock.currentTimeMillis
    const progress = progressReporter(output, total, started, { items: "records", rate: "records", eta: false })
    let read = 0
    let accepted = 0
    let duplicates = 0
    const rejected: Array<RejectedLine> = []

    yield* output.write(`Importing ${path}\n`)
    yield* records.pipe(
      Stream.grouped(MAX_USAGE_BATCH),
      Stream.runForEach((chunk) =>
        Effect.gen(function* () {
          const batch = Chunk.toReadonlyArray(chunk)
          const valid = batch.filter((r): r is Extract<FileRecord, { record: unknown }> => "record" in r)
          for (const r of batch) if ("invalid" in r) rejected.push({ line: r.line, code: "invalid_record", message: r.invalid })
          const result = yield* usage.ingest(operator, valid.map((r) => r.record))
          accepted += result.accepted
          duplicates += result.duplicates
          for (const r of result.rejected) rejected.push({ line: valid[r.index]!.line, code: r.code, message: r.message })
          read += batch.length
          yield* progress.update(read)
        })
      ),
      // Whatever happens, the line in progress is ended before anything else is printed.
      Effect.ensuring(Effect.suspend(() => progress.finish(read)))
    )
    rejected.sort((a, b) => a.line - b.line)
    const seconds = ((yield* Clock.currentTimeMillis) - started) / 1000
    const lines = [
      `${path}: ${count(accepted)} accepted, ${count(duplicates)} duplicate${duplicates === 1 ? "" : "s"}, ${count(rejected.length)} rejected ` +
        `(${count(read)} records in ${seconds.toFixed(1)} s)`,
      ...rejected.slice(0, LISTED_REJECTIONS).map((r) => `  line ${r.line}: ${r.code}: ${r.message}`),
      ...(rejected.length > LISTED_REJECTIONS ? [`  ... and ${count(rejected.length - LISTED_REJECTIONS)} more rejected`] : [])
    ]
    yield* output.write(`${lines.join("\n")}\n`)
    return { file: path, records: read, accepted, duplicates, rejected, seconds } satisfies UsageImportSummary
  })

/** `provisio usage import`: bootstraps an empty database first. */
export const importUsage = ({ file }: { readonly file: string }) =>
  Effect.gen(function* () {
    yield* bootstrap
    yield* importUsageFile(file)
  }).pipe(Effect.provide(AppLive))
