import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { canReach, reachableBy, requireKind, requireWrite } from "../identity/policy.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { formatAmount } from "../shared/money.js"
import { now } from "../shared/time.js"
import type { ReconciliationDeps } from "./deps.js"
import { BANK_TRANSFER, CHANNEL } from "./imports.js"
import { type AssignLine, StatementLine, type StoredLine } from "./model.js"

/**
 * `assignLine`: a credit left `unmatched` pays the invoice someone picked for it, through the
 * same `applyReceivedMoney` as an import run's matches: `matched` when it settles the invoice (an
 * excess becomes credit), `partial` when not. Only an unmatched credit can be assigned: a line
 * that moved money already, a debit or a return is `409 invalid_state`.
 */
export const makeLines = (deps: ReconciliationDeps) => {
  const { repo } = deps

  /** 409 unless the line is a credit that moved no money yet. */
  const requireAssignable = (stored: StoredLine) => {
    const line = stored.line
    if (line.status === "matched" || line.status === "partial") {
      return Effect.fail(new InvalidState({ message: `line ${line.id} is ${line.status} already: its money paid ${line.invoice_id}` }))
    }
    if (!BigDecimal.isPositive(line.amount.amount)) {
      return Effect.fail(new InvalidState({ message: `line ${line.id} is money paid out, not received: it pays no invoice` }))
    }
    if (line.status === "ignored") {
      return Effect.fail(new InvalidState({ message: `line ${line.id} is ignored (${line.note ?? "not booked"}): it pays no invoice` }))
    }
    return Effect.void
  }

  const assignLine = (principal: Principal, lineId: string, input: AssignLine) =>
    Effect.gen(function* () {
      yield* requireKind(principal, CHANNEL, "assign statement lines")
      yield* requireWrite(principal)
      const found = yield* repo.findLine(lineId).pipe(reachableBy(principal, "statement line", lineId))
      yield* requireAssignable(found)
      const invoice = yield* deps.invoices.findById(input.invoice_id).pipe(
        Effect.map(Option.filter((stored) => canReach(principal, stored.lineage))),
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(ValidationError.of("invoice_id", `invoice ${input.invoice_id} does not exist`)),
          onSome: (stored) => Effect.succeed(stored.invoice)
        }))
      )
      // The money came into the account of whoever imported the statement: it pays that account's
      // own invoices only (docs/reconciliation.md), whoever above it assigns the line.
      const statement = yield* repo.findStatement(found.line.statement_id).pipe(orNotFound("statement", found.line.statement_id))
      if (invoice.issuer_account_id !== statement.account_id) {
        return yield* ValidationError.of(
          "invoice_id",
          `invoice ${invoice.number ?? invoice.id} was issued by another account than the one whose bank statement this is (${statement.account_id}): a statement pays its own account's invoices`
        )
      }
      const amount = found.line.amount
      if (invoice.currency !== amount.currency) {
        return yield* ValidationError.of(
          "invoice_id",
          `invoice ${invoice.number ?? invoice.id} is in ${invoice.currency}, the line's ${formatAmount(amount.amount, amount.currency)} in ${amount.currency}`
        )
      }
      if (invoice.status !== "finalized" || !BigDecimal.isPositive(invoice.amount_due.amount)) {
        const state = invoice.status === "finalized" ? "paid" : invoice.status
        return yield* new InvalidState({ message: `invoice ${invoice.number ?? invoice.id} is ${state}: it takes no payment` })
      }

      return yield* deps.transactor.withTransaction(Effect.gen(function* () {
        const locked = yield* repo.lockLine(lineId).pipe(orNotFound("statement line", lineId))
        // Assigned by someone else meanwhile.
        yield* requireAssignable(locked)
        const at = yield* now
        const applied = yield* deps.applyReceivedMoney({
          invoice_id: invoice.id,
          amount,
          gateway: BANK_TRANSFER,
          reference: locked.bank_reference ?? locked.line.id,
          payment_method_id: null,
          at
        })
        const settled = applied.paid || applied.credit_note !== null
        const left = applied.invoice.invoice.amount_due
        const line = new StatementLine({
          ...locked.line,
          status: settled ? "matched" : "partial",
          invoice_id: invoice.id,
          payment_id: applied.payment.id,
          note: applied.credit_note !== null
            ? `assigned; the ${formatAmount(applied.credit_note.amount.amount, left.currency)} ${left.currency} beyond invoice ` +
              `${invoice.number ?? invoice.id} became credit (${applied.credit_note.id})`
            : settled
            ? "assigned"
            : `assigned; invoice ${invoice.number ?? invoice.id} still owes ${formatAmount(left.amount, left.currency)} ${left.currency}`,
          updated_at: at
        })
        yield* repo.saveLine({ ...locked, line })
        return line
      }))
    })

  return { assignLine } as const
}
