import * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Principal } from "../identity/model.js"
import { requireKind, requireWrite } from "../identity/policy.js"
import { makeId, makeIds } from "../shared/ids.js"
import { formatAmount } from "../shared/money.js"
import { now } from "../shared/time.js"
import { readCamt053 } from "./camt053.js"
import { readCsvStatement } from "./csv.js"
import type { ReconciliationDeps } from "./deps.js"
import {
  type ParsedLine,
  type ParsedStatement,
  Statement,
  type StatementId,
  StatementLine,
  type StatementLineId,
  type StatementInput,
  type StoredLine
} from "./model.js"
import { type Decision, planStatement } from "./plan.js"
import { referenceKeys } from "./references.js"
import { makeReverseReturnedPayment } from "./returns.js"

/**
 * `importStatement`: read -> plan -> write. The statement is read whole (a problem anywhere and
 * nothing is stored), then, in one transaction: the statement is recorded under its key (the same
 * statement again answers the first import), its transactions are claimed by their keys (one
 * booked before, by the importer or an account above or below it, is ignored), the invoices its references name and the credits its returns give
 * back are read in one query each, `planStatement` decides each line, and the lines are carried
 * out in order: payments through `applyReceivedMoney`, returns through the reversal.
 */

/** Accounts that issue invoices and receive their payments: they reconcile. */
export const CHANNEL = ["platform", "distributor", "partner"] as const

/** The gateway a reconciled payment names. */
export const BANK_TRANSFER = "bank_transfer"

/** The same statement was recorded by a concurrent import while this one ran. */
class AlreadyImported extends Schema.TaggedError<AlreadyImported>()("AlreadyImported", {}) {}

export interface ImportOptions {
  /** Told after each line is carried out (a CLI's progress line). */
  readonly progress?: ((done: number, total: number) => Effect.Effect<void>) | undefined
}

export interface ImportResult {
  readonly statement: Statement
  /** False when the statement had been imported before: nothing changed. */
  readonly created: boolean
}

const unique = <A>(items: Iterable<A>): Array<A> => [...new Set(items)]

export const makeImports = (deps: ReconciliationDeps) => {
  const { repo } = deps
  const reverse = makeReverseReturnedPayment(deps)

  const read = (input: StatementInput) =>
    input.format === "csv"
      ? Either.match(readCsvStatement(input.content), { onLeft: Effect.fail, onRight: Effect.succeed })
      : Effect.flatMap(deps.xml.read(input.content), (document) =>
        Either.match(readCamt053(document), { onLeft: Effect.fail, onRight: Effect.succeed }))

  /** What a carried-out line stores: the transaction as read, and what came of it. */
  const storedLine = (
    principal: Principal,
    statementId: string,
    id: string,
    position: number,
    line: ParsedLine,
    at: DateTime.Utc,
    outcome: Pick<StatementLine, "status" | "invoice_id" | "payment_id" | "note"> & { readonly duplicate_of: string | null }
  ): StoredLine => ({
    line: new StatementLine({
      id: id as StatementLineId,
      statement_id: statementId as StatementId,
      booked_at: line.booked_at,
      amount: line.amount,
      reference: line.reference,
      counterparty: line.counterparty,
      status: outcome.status,
      invoice_id: outcome.invoice_id,
      payment_id: outcome.payment_id,
      note: outcome.note,
      created_at: at,
      updated_at: at
    }),
    lineage: principal.lineage,
    entry_key: line.entry_key,
    position,
    bank_reference: line.bank_reference,
    match_refs: line.match_refs,
    reversed_by: null,
    duplicate_of: outcome.duplicate_of
  })

  const write = (principal: Principal, parsed: ParsedStatement, options: ImportOptions) =>
    Effect.gen(function* () {
      const at = yield* now
      const statementId = yield* makeId("stm")
      const lines = parsed.lines
      const ids = yield* makeIds("stl", lines.length)
      const inserted = yield* repo.insertStatement({
        statement: new Statement({
          id: statementId as StatementId,
          format: parsed.format,
          account: parsed.account,
          lines: [],
          created_at: at,
          updated_at: at
        }),
        account_id: principal.account_id,
        lineage: principal.lineage,
        statement_key: parsed.statement_key
      })
      if (!inserted) return yield* new AlreadyImported()

      const importer = { account_id: principal.account_id, lineage: principal.lineage }
      // Only booked transactions are claimed: a pending one is reported again once booked, and
      // must then be taken as new, not as imported before.
      yield* repo.claimEntries(importer, lines.flatMap((line, i) => line.booked ? [{ entry_key: line.entry_key, line_id: ids[i]! }] : []))
      const owners = lines.length === 0
        ? new Map<string, string>()
        : yield* repo.entryOwners(importer, unique(lines.map((line) => line.entry_key)), ids)
      const fresh = lines.filter((line) => !owners.has(line.entry_key) && line.booked)
      const keys = unique(fresh.filter((line) => BigDecimal.isPositive(line.amount.amount))
        .flatMap((line) => line.references.flatMap((reference) => referenceKeys(reference.text))))
      const refs = unique(fresh.filter((line) => line.is_return).flatMap((line) => line.match_refs))
      const decisions = planStatement({
        lines,
        ids,
        owners,
        invoices: keys.length === 0 ? [] : yield* repo.findInvoices(principal.account_id, keys),
        returnable: refs.length === 0 ? [] : yield* repo.findReturnable(principal.account_id, refs)
      })

      // The invoices about to change, locked in id order: two imports never wait for each other in a circle.
      const touched = decisions.flatMap((d: Decision) =>
        d.kind === "pay" ? [d.invoice.id] : d.kind === "reverse" && "invoice_id" in d.credit ? [d.credit.invoice_id] : []
      )
      for (const id of unique(touched).sort()) yield* deps.invoices.lock(id)

      const stored: Array<StoredLine> = []
      const reversedEarlier: Array<{ readonly line_id: string; readonly by: string }> = []
      for (const [i, line] of lines.entries()) {
        const decision = decisions[i]!
        const keep = (outcome: Parameters<typeof storedLine>[6]) =>
          stored.push(storedLine(principal, statementId, ids[i]!, i, line, at, outcome))
        switch (decision.kind) {
          case "pay": {
            const applied = yield* deps.applyReceivedMoney({
              invoice_id: decision.invoice.id,
              amount: line.amount,
              gateway: BANK_TRANSFER,
              reference: line.bank_reference ?? ids[i]!,
              payment_method_id: null,
              at
            })
            const settled = applied.paid || applied.credit_note !== null
            const left = applied.invoice.invoice.amount_due
            keep({
              status: settled ? "matched" : "partial",
              invoice_id: decision.invoice.id,
              payment_id: applied.payment.id,
              note: applied.credit_note !== null
                ? `the ${formatAmount(applied.credit_note.amount.amount, left.currency)} ${left.currency} beyond invoice ` +
                  `${decision.invoice.number} became credit (${applied.credit_note.id})`
                : settled
                ? null
                : `invoice ${decision.invoice.number} still owes ${formatAmount(left.amount, left.currency)} ${left.currency}`,
              duplicate_of: null
            })
            break
          }
          case "reverse": {
            const credit = "position" in decision.credit
              ? { line_id: ids[decision.credit.position]!, payment_id: stored[decision.credit.position]!.line.payment_id! }
              : decision.credit
            const outcome = yield* reverse({ payment_id: credit.payment_id, line_id: ids[i]!, at })
            if (!outcome.reversed) {
              keep({ status: "unmatched", invoice_id: null, payment_id: null, note: outcome.reason, duplicate_of: null })
              break
            }
            keep({
              status: "matched",
              invoice_id: outcome.payment.invoice_id,
              payment_id: outcome.payment.id,
              note: `returned by the bank: reverses payment ${outcome.payment.id} of line ${credit.line_id}`,
              duplicate_of: null
            })
            const returned = `returned by the bank on line ${ids[i]}: payment ${outcome.payment.id} is reversed`
            if ("position" in decision.credit) {
              const original = stored[decision.credit.position]!
              stored[decision.credit.position] = {
                ...original,
                line: new StatementLine({ ...original.line, note: returned }),
                reversed_by: ids[i]!
              }
            } else reversedEarlier.push({ line_id: credit.line_id, by: ids[i]! })
            break
          }
          case "unmatched":
            keep({ status: "unmatched", invoice_id: null, payment_id: null, note: decision.note, duplicate_of: null })
            break
          case "ignored":
            keep({ status: "ignored", invoice_id: null, payment_id: null, note: decision.note, duplicate_of: decision.duplicate_of })
        }
        if (options.progress !== undefined) yield* options.progress(i + 1, lines.length)
      }
      yield* repo.insertLines(stored)
      for (const { line_id, by } of reversedEarlier) {
        const earlier = yield* repo.lockLine(line_id)
        if (Option.isNone(earlier)) continue
        yield* repo.saveLine({
          ...earlier.value,
          line: new StatementLine({
            ...earlier.value.line,
            note: `returned by the bank on line ${by}: payment ${earlier.value.line.payment_id} is reversed`,
            updated_at: at
          }),
          reversed_by: by
        })
      }
      return new Statement({
        id: statementId as StatementId,
        format: parsed.format,
        account: parsed.account,
        lines: stored.map((s) => s.line),
        created_at: at,
        updated_at: at
      })
    })

  /**
   * Imports a statement as `principal` (admins and managers of the platform, a distributor or a
   * partner): `created` false, and nothing changed, when its account imported it before.
   */
  const importStatement = (principal: Principal, input: StatementInput, options: ImportOptions = {}) =>
    Effect.gen(function* () {
      yield* requireKind(principal, CHANNEL, "import bank statements; the issuing side reconciles its payments")
      yield* requireWrite(principal)
      const parsed = yield* read(input)
      const before = yield* repo.findStatementByKey(principal.account_id, parsed.statement_key)
      if (Option.isSome(before)) return { statement: before.value.statement, created: false } satisfies ImportResult
      return yield* deps.transactor.withTransaction(write(principal, parsed, options)).pipe(
        Effect.map((statement): ImportResult => ({ statement, created: true })),
        Effect.catchTag("AlreadyImported", () =>
          repo.findStatementByKey(principal.account_id, parsed.statement_key).pipe(
            Effect.flatMap(Option.match({
              onNone: () => Effect.dieMessage("a statement recorded by a concurrent import is missing"),
              onSome: (first) => Effect.succeed({ statement: first.statement, created: false } satisfies ImportResult)
            }))
          ))
      )
    })

  return { importStatement } as const
}
