import { Identity } from "@provisio/core/identity/service"
import type { StatementFormat, StatementLine } from "@provisio/core/reconciliation/model"
import { Reconciliation } from "@provisio/core/reconciliation/service"
import { ValidationError } from "@provisio/core/shared/errors"
import { formatAmount } from "@provisio/core/shared/money"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"
import { count, type ImportOutput, progressReporter, stdoutOutput } from "../progress.js"

export interface StatementImportSummary {
  readonly file: string
  readonly statement_id: string
  /** False when the statement had been imported before: nothing changed. */
  readonly created: boolean
  readonly lines: ReadonlyArray<StatementLine>
  readonly seconds: number
}

/** How many unmatched lines the summary lists one by one; the rest are counted. */
const LISTED_LINES = 20

/** A progress line every this many lines off a terminal. */
const PROGRESS_EVERY = 1_000

/** camt.053 for `.xml` (or a file that starts with `<`), CSV for `.csv`. */
const formatOf = (path: string, content: string): Effect.Effect<StatementFormat, ValidationError> => {
  const lower = path.toLowerCase()
  if (lower.endsWith(".xml") || content.trimStart().startsWith("<")) return Effect.succeed("camt053")
  if (lower.endsWith(".csv")) return Effect.succeed("csv")
  return Effect.fail(new ValidationError({ message: `${path}: the file must be a camt.053 statement (.xml) or CSV (.csv)` }))
}

const readText = (path: string) =>
  Effect.tryPromise({
    try: () => fs.promises.readFile(path, "utf8"),
    catch: (error) => new ValidationError({ message: `cannot read ${path}: ${(error as Error).message}` })
  })

const describe = (line: StatementLine) =>
  `${DateTime.formatIso(line.booked_at).slice(0, 10)} ${formatAmount(line.amount.amount, line.amount.currency)} ${line.amount.currency}` +
  `${line.reference === null ? "" : ` ${JSON.stringify(line.reference)}`}${line.counterparty === null ? "" : ` from ${line.counterparty}`}`

/**
 * The command's work on whatever database the context has: imports a bank statement through the
 * same use case as `POST /reconciliation/statements`, as the platform operator or, with
 * `account`, as that account (a distributor or partner: its own invoices are matched), with a
 * progress line, then what came of each line; a statement imported before changes nothing.
 */
export const importStatementFile = (
  path: string,
  options: { readonly account?: string | undefined; readonly output?: ImportOutput } = {}
) =>
  Effect.gen(function* () {
    const output = options.output ?? stdoutOutput
    const content = yield* readText(path)
    const format = yield* formatOf(path, content)
    const identity = yield* Identity
    const operator = yield* identity.platformOperator
    const principal = options.account === undefined ? operator : yield* identity.narrow(operator, options.account)
    const reconciliation = yield* Reconciliation
    const started = yield* Clock.currentTimeMillis
    let progress: ReturnType<typeof progressReporter> | undefined
    let done = 0

    yield* output.write(`Importing ${path}\n`)
    const { created, statement } = yield* reconciliation.importStatement(principal, { format, content }, {
      progress: (carried, total) => {
        done = carried
        progress ??= progressReporter(output, total, started, { items: "lines", rate: "lines", eta: false }, PROGRESS_EVERY)
        return progress.update(carried)
      }
    }).pipe(Effect.ensuring(Effect.suspend(() => (progress === undefined ? Effect.void : progress.finish(done)))))
    const seconds = ((yield* Clock.currentTimeMillis) - started) / 1000

    const lines = statement.lines
    const counted = (status: StatementLine["status"]) => lines.filter((line) => line.status === status).length
    const unmatched = lines.filter((line) => line.status === "unmatched")
    const text = created
      ? [
        `${path}: statement ${statement.id} (${statement.format}${statement.account === null ? "" : `, ${statement.account}`}): ` +
        `${count(lines.length)} line${lines.length === 1 ? "" : "s"}: ${count(counted("matched"))} matched, ` +
        `${count(counted("partial"))} partial, ${count(unmatched.length)} unmatched, ${count(counted("ignored"))} ignored ` +
        `(${seconds.toFixed(1)} s)`,
        ...unmatched.slice(0, LISTED_LINES).map((line) => `  unmatched ${line.id}: ${describe(line)}: ${line.note ?? ""}`),
        ...(unmatched.length > LISTED_LINES ? [`  ... and ${count(unmatched.length - LISTED_LINES)} more unmatched`] : [])
      ]
      : [`${path}: already imported as statement ${statement.id} on ${DateTime.formatIso(statement.created_at)}: nothing changed`]
    yield* output.write(`${text.join("\n")}\n`)
    return { file: path, statement_id: statement.id, created, lines, seconds } satisfies StatementImportSummary
  })

/** `provisio reconcile import`: bootstraps an empty database first. */
export const importStatement = ({ file, account }: { readonly file: string; readonly account: Option.Option<string> }) =>
  Effect.gen(function* () {
    yield* bootstrap
    yield* importStatementFile(file, { account: Option.getOrUndefined(account) })
  }).pipe(Effect.provide(AppLive))
