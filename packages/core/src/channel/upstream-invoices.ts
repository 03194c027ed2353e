import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind, requireWrite } from "../identity/policy.js"
import type { AnyInvoice, Invoice, UpstreamInvoice } from "../invoices/model.js"
import type { InvoiceListFilter } from "../invoices/views.js"
import type { PaymentId } from "../payments/model.js"
import { Forbidden, InvalidState, type PersistenceError, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { amountToMoveProblem, formatDecimal, type Money } from "../shared/money.js"
import { encodeCursor, type Page, type PageRequest } from "../shared/pagination.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { UpstreamPayment } from "./model.js"
import { UpstreamInvoiceRepo } from "./ports.js"

/**
 * Upstream invoices as invoices (docs/channel.md "Upstream invoices"): what `GET /invoices`,
 * `POST /invoices/{id}/void` and `POST /payments` do with an invoice billed to an account. The
 * caller reaches one when its account is in the billed account's lineage: the issuer, the account
 * billed and the accounts above; never a customer, never a partner for its distributor's invoice.
 * Voiding and payments are the issuer's side: the account billed reads its invoice, nothing more.
 */

/** Two pages of the same request over disjoint id spaces merged into one, in id order. */
export const mergePages = <A extends { readonly id: string }>(
  a: Page<A>,
  b: Page<A>,
  page: PageRequest,
  newestFirst = false
): Page<A> => {
  const all = [...a.items, ...b.items].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0) * (newestFirst ? -1 : 1))
  const items = all.slice(0, page.limit)
  const more = all.length > page.limit || a.next_cursor !== null || b.next_cursor !== null
  const last = items[items.length - 1]
  return { items, limit: page.limit, next_cursor: more && last !== undefined ? encodeCursor(last.id) : null }
}

export const makeUpstreamInvoices = Effect.gen(function* () {
  const repo = yield* UpstreamInvoiceRepo
  const transactor = yield* Transactor

  const find = (principal: Principal, id: string) => repo.findById(id).pipe(reachableBy(principal, "invoice", id))

  /** The issuer's side: the issuing channel's writers, not the account the invoice bills. */
  const requireIssuerSide = (principal: Principal, invoice: UpstreamInvoice, action: string) =>
    Effect.gen(function* () {
      yield* requireKind(principal, ["platform", "distributor", "partner"], action)
      if (principal.account_id === invoice.bill_to_account_id) {
        return yield* new Forbidden({ message: `an invoice billed to the caller's account is its issuer's to ${action}` })
      }
    })

  /**
   * The page of `GET /invoices` with the upstream invoices the caller reaches merged in, by id,
   * as `customers` (the customer invoices' page) was asked. None for a customer, for a list of
   * one customer's invoices or of drafts.
   */
  const withUpstream = (
    principal: Principal,
    filter: InvoiceListFilter,
    page: PageRequest,
    customers: Page<Invoice>
  ): Effect.Effect<Page<AnyInvoice>, PersistenceError> =>
    principal.account_kind === "customer" || filter.customer_id !== undefined || filter.status === "draft"
      ? Effect.succeed(customers)
      : Effect.map(
        repo.list(principal.account_id, {
          period: filter.period,
          status: filter.status,
          as_of: filter.as_of,
          // A full page of customers' invoices with more after it: only upstream ones before its last can join it.
          before: customers.next_cursor === null ? undefined : customers.items[customers.items.length - 1]?.id
        }, page),
        (upstream) => mergePages<AnyInvoice>(customers, { ...upstream, items: upstream.items.map((s) => s.invoice) }, page)
      )

  /** Whether the id is an upstream invoice's (whoever may see it). */
  const isUpstream = (id: string) => Effect.map(repo.findById(id), Option.isSome)

  const getInvoice = (principal: Principal, id: string) => Effect.map(find(principal, id), (s) => s.invoice)

  /** Voids it (the issuer's admins): its costs are released for the period's next run to invoice afresh. */
  const voidInvoice = (principal: Principal, id: string) =>
    Effect.gen(function* () {
      const found = yield* find(principal, id)
      yield* requireIssuerSide(principal, found.invoice, "void")
      yield* requireAdmin(principal)
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const current = yield* repo.lock(id).pipe(reachableBy(principal, "invoice", id))
        if (current.invoice.status === "void") return yield* new InvalidState({ message: `invoice ${id} is already void` })
        if (BigDecimal.isPositive(current.invoice.amount_paid.amount)) {
          return yield* new InvalidState({ message: `invoice ${id} has payments recorded on it: it can no longer be voided` })
        }
        const voided = yield* repo.voidInvoice(id, yield* now)
        return yield* Option.match(voided, {
          onNone: () => Effect.fail(new InvalidState({ message: `invoice ${id} can no longer be voided` })),
          onSome: (s) => Effect.succeed(s.invoice)
        })
      }))
    })

  /**
   * Records money the account billed paid on its upstream invoice (the issuer's writers): at most
   * what it still owes, in its currency; `paid` once nothing is left. No gateway, no customer ledger.
   */
  const recordPayment = (principal: Principal, input: { readonly invoice_id: string; readonly amount: Money; readonly payment_method_id?: string | undefined }) =>
    Effect.gen(function* () {
      const found = yield* repo.findById(input.invoice_id).pipe(
        reachableBy(principal, "invoice", input.invoice_id),
        Effect.catchTag("NotFound", () => ValidationError.of("invoice_id", `invoice ${input.invoice_id} does not exist`))
      )
      yield* requireIssuerSide(principal, found.invoice, "record payments on")
      yield* requireWrite(principal)
      const invoice = found.invoice
      const { amount, currency } = input.amount
      const problem = amountToMoveProblem(amount, currency)
      if (problem !== undefined) return yield* ValidationError.of("amount.amount", problem)
      if (currency !== invoice.currency) return yield* ValidationError.of("amount.currency", `must be the invoice's currency, ${invoice.currency}`)
      if (input.payment_method_id !== undefined) {
        return yield* ValidationError.of("payment_method_id", "an upstream invoice is paid by transfer: no payment method")
      }
      if (invoice.status !== "finalized") return yield* new InvalidState({ message: `invoice ${invoice.id} is ${invoice.status}: it cannot be paid` })
      if (BigDecimal.greaterThan(amount, invoice.amount_due.amount)) {
        return yield* ValidationError.of("amount.amount", `is more than the invoice owes (${formatDecimal(invoice.amount_due.amount)})`)
      }
      const id = (yield* makeId("pay")) as PaymentId
      const at = yield* now
      const paid = yield* transactor.withTransaction(repo.recordPayment(invoice.id, id, amount, at))
      if (Option.isNone(paid)) return yield* new InvalidState({ message: `invoice ${invoice.id} changed meanwhile: read it again` })
      return new UpstreamPayment({
        id,
        customer_id: null,
        bill_to_account_id: invoice.bill_to_account_id,
        invoice_id: invoice.id,
        amount: input.amount,
        payment_method_id: null,
        gateway: "manual",
        gateway_reference: null,
        status: "succeeded",
        failure_reason: null,
        created_at: at,
        updated_at: at
      })
    })

  return { find, withUpstream, isUpstream, getInvoice, voidInvoice, recordPayment } as const
})
