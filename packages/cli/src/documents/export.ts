import type { DocumentKind } from "@provisio/core/documents/model"
import { Documents } from "@provisio/core/documents/service"
import type { Principal } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import { type AnyInvoice, BillingMonth } from "@provisio/core/invoices/model"
import { Invoices } from "@provisio/core/invoices/service"
import { ValidationError } from "@provisio/core/shared/errors"
import { PageRequest } from "@provisio/core/shared/pagination"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"
import { count, type ImportOutput, progressReporter, stdoutOutput } from "../progress.js"

export interface ExportSummary {
  readonly period: string
  readonly format: DocumentKind
  readonly directory: string
  /** The files written, in invoice order. */
  readonly files: ReadonlyArray<string>
  readonly seconds: number
}

/** A progress line every this many invoices off a terminal. */
const PROGRESS_EVERY = 100

/** The invoices that have documents: every one of the month issued (finalized or since paid); drafts and void ones have none to send. */
const issuedInvoices = (principal: Principal, period: BillingMonth) =>
  Effect.gen(function* () {
    const invoices = yield* Invoices
    const found: Array<AnyInvoice> = []
    let after: string | undefined
    do {
      const page = yield* invoices.listInvoices(principal, { period }, new PageRequest({ limit: 200, after }))
      found.push(...page.items.filter((invoice) => invoice.status === "finalized" || invoice.status === "paid"))
      after = page.items.at(-1)?.id
      if (page.next_cursor === null) after = undefined
    } while (after !== undefined)
    return found
  })

const writeFile = (file: string, content: Uint8Array) =>
  Effect.tryPromise({
    try: () => fs.promises.writeFile(file, content),
    catch: (error) => new ValidationError({ message: `cannot write ${file}: ${(error as Error).message}` })
  })

/**
 * The command's work on whatever database the context has: writes the document (`pdf` or `ubl`)
 * of every invoice issued for the month into `out` (made if missing), named by the invoice's
 * number, as the platform operator or, with `account`, as that account (its invoices and those
 * below it), with a progress line, then a summary. Running it again writes the same bytes.
 */
export const exportDocumentFiles = (options: {
  readonly period: string
  readonly format: DocumentKind
  readonly out: string
  readonly account?: string | undefined
  readonly output?: ImportOutput
}) =>
  Effect.gen(function* () {
    const output = options.output ?? stdoutOutput
    const period = yield* Schema.decodeUnknown(BillingMonth)(options.period).pipe(
      Effect.mapError(() => new ValidationError({ message: `--period must be a month written YYYY-MM, e.g. 2026-11 (got "${options.period}")` }))
    )
    const identity = yield* Identity
    const operator = yield* identity.platformOperator
    const principal = options.account === undefined ? operator : yield* identity.narrow(operator, options.account)
    const documents = yield* Documents
    yield* Effect.try({
      try: () => fs.mkdirSync(options.out, { recursive: true }),
      catch: (error) => new ValidationError({ message: `cannot make ${options.out}: ${(error as Error).message}` })
    })
    const started = yield* Clock.currentTimeMillis
    const invoices = yield* issuedInvoices(principal, period)
    yield* output.write(`Exporting ${count(invoices.length)} invoice${invoices.length === 1 ? "" : "s"} of ${period} as ${options.format} to ${options.out}\n`)
    const progress = progressReporter(output, invoices.length, started, { items: "invoices", rate: "invoices", eta: true }, PROGRESS_EVERY)
    const files: Array<string> = []
    for (const invoice of invoices) {
      const document = yield* documents.invoiceDocument(principal, invoice.id, options.format)
      const file = path.join(options.out, document.filename)
      yield* writeFile(file, document.content)
      files.push(file)
      yield* progress.update(files.length)
    }
    yield* progress.finish(files.length)
    const seconds = ((yield* Clock.currentTimeMillis) - started) / 1000
    yield* output.write(`${options.out}: ${count(files.length)} ${options.format === "pdf" ? "PDF" : "UBL"} file${files.length === 1 ? "" : "s"} (${seconds.toFixed(1)} s)\n`)
    return { period, format: options.format, directory: options.out, files, seconds } satisfies ExportSummary
  })

/** `provisio invoices export`: bootstraps an empty database first. */
export const exportInvoices = (
  { account, format, out, period }: {
    readonly period: string
    readonly format: DocumentKind
    readonly out: string
    readonly account: Option.Option<string>
  }
) =>
  Effect.gen(function* () {
    yield* bootstrap
    yield* exportDocumentFiles({ period, format, out, account: Option.getOrUndefined(account) })
  }).pipe(Effect.provide(AppLive))
