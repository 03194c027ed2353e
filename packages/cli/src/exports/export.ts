import { formatRows, preamble } from "@provisio/core/exports/format"
import { EXPORT_COLUMNS, ExportFormat, ExportKind } from "@provisio/core/exports/model"
import { Exports } from "@provisio/core/exports/service"
import { Identity } from "@provisio/core/identity/service"
import { BillingMonth } from "@provisio/core/invoices/model"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as path from "node:path"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"
import { count, type ImportOutput, progressReporter, stdoutOutput } from "../progress.js"

export interface ExportFileSummary {
  readonly file: string
  readonly rows: number
  readonly seconds: number
}

/** A progress line every this many rows off a terminal. */
const PROGRESS_EVERY = 50_000

const decodeOption = <A, I>(schema: Schema.Schema<A, I>, option: string, value: string, expected: string) =>
  Schema.decodeUnknown(schema)(value).pipe(
    Effect.mapError(() => new ValidationError({ field: option, message: `--${option} must be ${expected} (got "${value}")` }))
  )

/** `out` itself, or the export's own file name inside it when it is a folder (an existing one, or a path ending in a separator). */
const targetFile = (out: string, filename: string) =>
  out.endsWith("/") || out.endsWith(path.sep) || (fs.existsSync(out) && fs.statSync(out).isDirectory())
    ? path.join(out, filename)
    : out

const io = <A>(what: string, run: () => A) =>
  Effect.try({ try: run, catch: (error) => new ValidationError({ message: `cannot ${what}: ${(error as Error).message}` }) })

/**
 * The command's work on whatever database the context has: writes one export of a month to a
 * file, batch by batch as the database is read (memory stays flat), as the platform operator or,
 * with `account`, as that account (its rows and those below it), with a progress line, then a summary.
 */
export const exportToFile = (options: {
  readonly kind: string
  readonly period: string
  readonly format: string
  readonly out: string
  readonly account?: string | undefined
  readonly output?: ImportOutput
}) =>
  Effect.gen(function* () {
    const output = options.output ?? stdoutOutput
    const kind = yield* decodeOption(ExportKind, "kind", options.kind, "invoices, invoice-lines, rated-usage or commissions")
    const period = yield* decodeOption(BillingMonth, "period", options.period, "a month written YYYY-MM, e.g. 2026-11")
    const format = yield* decodeOption(ExportFormat, "format", options.format, "csv or ndjson")
    const identity = yield* Identity
    const operator = yield* identity.platformOperator
    const principal = options.account === undefined ? operator : yield* identity.narrow(operator, options.account)
    const exports = yield* Exports
    const started = yield* Clock.currentTimeMillis
    const total = yield* exports.count(principal, kind, period)
    const download = yield* exports.download(principal, { kind, period, format })
    const file = targetFile(options.out, download.filename)
    yield* io(`make ${path.dirname(file)}`, () => fs.mkdirSync(path.dirname(file), { recursive: true }))
    yield* output.write(`Exporting ${count(total)} ${kind} row${total === 1 ? "" : "s"} of ${period} as ${format} to ${file}\n`)
    const progress = progressReporter(output, total, started, { items: "rows", rate: "rows", eta: true }, PROGRESS_EVERY)
    const columns = EXPORT_COLUMNS[kind]
    // Written synchronously batch by batch: the next batch is read only once this one is on disk.
    const fd = yield* io(`write ${file}`, () => fs.openSync(file, "w"))
    let rows = 0
    yield* Effect.ensuring(
      Effect.gen(function* () {
        yield* io(`write ${file}`, () => fs.writeSync(fd, preamble(format, columns)))
        yield* Stream.runForEach(download.batches, (batch) =>
          Effect.zipRight(
            io(`write ${file}`, () => fs.writeSync(fd, formatRows(format, columns, batch))),
            Effect.suspend(() => {
              rows += batch.length
              return progress.update(rows)
            })
          ))
      }),
      Effect.sync(() => fs.closeSync(fd))
    )
    yield* progress.finish(rows)
    const seconds = ((yield* Clock.currentTimeMillis) - started) / 1000
    yield* output.write(`${file}: ${count(rows)} row${rows === 1 ? "" : "s"} (${seconds.toFixed(1)} s)\n`)
    return { file, rows, seconds } satisfies ExportFileSummary
  })

/** `provisio export <kind>`: bootstraps an empty database first. */
export const exportCommandHandler = (kind: ExportKind) =>
({ account, format, out, period }: {
  readonly period: string
  readonly format: ExportFormat
  readonly out: string
  readonly account: Option.Option<string>
}) =>
  Effect.gen(function* () {
    yield* bootstrap
    yield* exportToFile({ kind, period, format, out, account: Option.getOrUndefined(account) })
  }).pipe(Effect.provide(AppLive))
