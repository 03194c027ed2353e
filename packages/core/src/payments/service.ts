import * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { CustomerRepo, PaymentMethodRepo } from "../customers/ports.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { EventType } from "../events/model.js"
import type { Principal } from "../identity/model.js"
import { canReach, reachableBy, requireAdmin, requireKind, requireWrite } from "../identity/policy.js"
import type { Invoice } from "../invoices/model.js"
import { InvoiceRepo } from "../invoices/ports.js"
import { InvalidState, ValidationError } from "../shared/errors.js"
import { changedReadOnlyField } from "../shared/read-only.js"
import { makeId } from "../shared/ids.js"
import { amountToMoveProblem, type Money, money, roundToMinorUnit } from "../shared/money.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import {
  CreditNote,
  type CreditNoteId,
  type CreditNoteListFilter,
  CustomerBalance,
  type GrantCredit,
  Payment,
  type PaymentId,
  type PaymentListFilter,
  type RecordPayment,
  type StoredCreditNote,
  untaxedCredit
} from "./model.js"
import { makeApplyReceivedMoney } from "./apply.js"
import { PaymentGateway, PaymentRepo } from "./ports.js"
import { now } from "../shared/time.js"
import { CollectorRepo } from "../collection/collector-ports.js"
import type { PaymentAttemptId } from "../collection/model.js"

const encodeCreditNote = Schema.encode(CreditNote)

/** Accounts that sell to customers, or sit above those that do: they grant credit. */
const CHANNEL = ["platform", "distributor", "partner"] as const

export const make = Effect.gen(function* () {
  const repo = yield* PaymentRepo
  const invoices = yield* InvoiceRepo
  const customers = yield* CustomerRepo
  const paymentMethods = yield* PaymentMethodRepo
  const gateway = yield* PaymentGateway
  const log = yield* EventLog
  const transactor = yield* Transactor
  const applyReceivedMoney = yield* makeApplyReceivedMoney
  const attempts = yield* CollectorRepo

  /** A customer the caller may see; one out of scope reads as missing. */
  const findCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(
      reachableBy(principal, "customer", id)
    )

  /** A positive amount with no more digits than its currency has, written with exactly those digits. */
  const chargeableAmount = (amount: Money) => {
    const problem = amountToMoveProblem(amount.amount, amount.currency)
    return problem === undefined
      ? Effect.succeed(money(roundToMinorUnit(amount.amount, amount.currency), amount.currency))
      : Effect.fail(ValidationError.of("amount.amount", problem))
  }

  const event = (type: EventType, scope: { readonly customer_id: string; readonly lineage: ReadonlyArray<string> }, data: Record<string, unknown>) =>
    newEvent(type, { customer_id: scope.customer_id, lineage: scope.lineage }, data)

  const creditNoteEvent = (stored: StoredCreditNote) =>
    Effect.flatMap(Effect.orDie(encodeCreditNote(stored.credit_note)), (credit_note) =>
      event("credit_note.created", { customer_id: stored.credit_note.customer_id, lineage: stored.lineage }, { credit_note }))

  /** 409 unless the invoice still asks for money. */
  const requirePayable = (invoice: Invoice) => {
    if (invoice.status === "draft") {
      return Effect.fail(new InvalidState({ message: `invoice ${invoice.id} is a draft: it can be paid once finalized` }))
    }
    if (invoice.status === "void") {
      return Effect.fail(new InvalidState({ message: `invoice ${invoice.id} is void: it cannot be paid` }))
    }
    if (invoice.status === "paid" || !BigDecimal.isPositive(invoice.amount_due.amount)) {
      return Effect.fail(new InvalidState({ message: `invoice ${invoice.id} is already paid` }))
    }
    return Effect.void
  }

  const record = (principal: Principal, input: RecordPayment) =>
    Effect.gen(function* () {
      const found = yield* invoices.findById(input.invoice_id).pipe(
        Effect.map(Option.filter((stored) => canReach(principal, stored.lineage))),
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(ValidationError.of("invoice_id", `invoice ${input.invoice_id} does not exist`)),
          onSome: Effect.succeed
        }))
      )
      // Recording money received is the issuer's side (platform, distributor, partner): a
      // customer that could record it would mark its invoices paid with nothing collected.
      yield* requireKind(principal, CHANNEL, "record payments; a customer pays through a payment gateway")
      yield* requireWrite(principal)
      const invoice = found.invoice
      const otherCustomer = changedReadOnlyField(
        input,
        { customer_id: "must be the invoice's customer, or left out: the invoice's customer pays it" },
        () => ({ customer_id: invoice.customer_id })
      )
      if (otherCustomer !== undefined) return yield* otherCustomer
      const amount = yield* chargeableAmount(input.amount)
      if (amount.currency !== invoice.currency) {
        return yield* ValidationError.of("amount.currency", `must be the invoice's currency, ${invoice.currency}`)
      }
      yield* requirePayable(invoice)
      const method = input.payment_method_id === undefined
        ? null
        : yield* paymentMethods.findById(invoice.customer_id, input.payment_method_id).pipe(
          Effect.flatMap(Option.match({
            onNone: () =>
              Effect.fail(ValidationError.of(
                "payment_method_id",
                `payment method ${input.payment_method_id} is not one of customer ${invoice.customer_id}'s`
              )),
            onSome: Effect.succeed
          }))
        )

      // The gateway is called outside any transaction: a slow provider must not hold the invoice's lock.
      const id = (yield* makeId("pay")) as PaymentId
      // Named to the gateway (its metadata), so a webhook about a charge left pending finds its attempt.
      const attemptId = (yield* makeId("pat")) as PaymentAttemptId
      const paymentMethod = method === null
        ? null
        : { id: method.id, type: method.type, gateway: method.gateway, token: method.token }
      const result = yield* gateway.charge({
        payment_id: id,
        idempotency_key: id,
        invoice_id: invoice.id,
        attempt_id: attemptId,
        customer_id: invoice.customer_id,
        amount,
        payment_method: paymentMethod,
        description: `Payment of invoice ${invoice.number ?? invoice.id}`
      })
      const at = yield* now
      const gatewayName = result.gateway ?? gateway.name
      const fields = {
        id,
        customer_id: invoice.customer_id,
        invoice_id: invoice.id,
        amount,
        payment_method_id: method?.id ?? null,
        gateway: gatewayName,
        created_at: at,
        updated_at: at
      }

      if (result.status === "failed") {
        // Kept and listed, so staff can see the attempt and why it was declined.
        const reason = result.decline_code ? `${result.reason} (${result.decline_code})` : result.reason
        const payment = new Payment({ ...fields, gateway_reference: result.reference ?? null, status: "failed", failure_reason: reason })
        yield* repo.insertPayment({ payment, lineage: found.lineage })
        return yield* new InvalidState({ message: `payment ${id} failed: ${reason}` })
      }
      if (result.status === "pending" || result.status === "unknown") {
        // Not settled yet: kept as a pending attempt on the invoice, which the gateway's webhook settles.
        yield* attempts.insertAttempts([{
          id: attemptId,
          invoice_id: invoice.id,
          customer_id: invoice.customer_id,
          lineage: found.lineage,
          gateway: gatewayName,
          payment_method_id: method?.id ?? null,
          amount,
          gateway_reference: result.status === "pending" ? result.reference : null,
          failure_reason: result.status === "unknown" ? result.reason : null
        }], at)
        return yield* new InvalidState({
          message: result.status === "pending"
            ? `the gateway has not confirmed the charge yet (attempt ${attemptId} is pending): the invoice is paid once it does`
            : `the gateway could not be reached (${result.reason}): attempt ${attemptId} stays pending until the gateway reports on it`
        })
      }

      return yield* transactor.withTransaction(applyReceivedMoney({
        payment_id: id,
        invoice_id: invoice.id,
        amount,
        gateway: gatewayName,
        reference: result.reference,
        payment_method_id: method?.id ?? null,
        at
      })).pipe(Effect.map((applied) => applied.payment))
    })

  const list = (principal: Principal, filter: PaymentListFilter, page: PageRequest) =>
    Effect.gen(function* () {
      if (filter.customer_id !== undefined) yield* findCustomer(principal, filter.customer_id)
      return yield* repo.listPayments(principal.account_id, filter, page)
    })

  const get = (principal: Principal, id: string) =>
    repo.findPayment(id).pipe(
      reachableBy(principal, "payment", id), Effect.map((stored) => stored.payment)
    )

  const grantCredit = (principal: Principal, input: GrantCredit) =>
    Effect.gen(function* () {
      const customer = yield* findCustomer(principal, input.customer_id).pipe(
        Effect.catchTag("NotFound", () =>
          Effect.fail(ValidationError.of("customer_id", `customer ${input.customer_id} does not exist`)))
      )
      yield* requireKind(principal, CHANNEL, "grant credit")
      yield* requireAdmin(principal)
      const amount = yield* chargeableAmount(input.amount)
      const reason = input.reason.trim()
      if (reason === "") return yield* ValidationError.of("reason", "must not be empty")
      const at = yield* now
      const stored: StoredCreditNote = {
        credit_note: new CreditNote({
          id: (yield* makeId("crn")) as CreditNoteId,
          customer_id: customer.customer.id,
          amount,
          remaining: amount,
          ...untaxedCredit(amount),
          reason,
          source: "manual",
          payment_id: null,
          invoice_id: null,
          created_at: at,
          updated_at: at
        }),
        lineage: customer.lineage
      }
      yield* transactor.withTransaction(Effect.gen(function* () {
        yield* repo.insertCreditNote(stored)
        yield* repo.appendLedger([{
          customer_id: customer.customer.id,
          currency: amount.currency,
          kind: "credit_note",
          amount: BigDecimal.negate(amount.amount),
          invoice_id: null,
          payment_id: null,
          credit_note_id: stored.credit_note.id
        }], at)
        yield* log.append([yield* creditNoteEvent(stored)])
      }))
      return stored.credit_note
    })

  const listCredits = (principal: Principal, filter: CreditNoteListFilter, page: PageRequest) =>
    Effect.gen(function* () {
      if (filter.customer_id !== undefined) yield* findCustomer(principal, filter.customer_id)
      return yield* repo.listCreditNotes(principal.account_id, filter, page)
    })

  const balance = (principal: Principal, customerId: string) =>
    Effect.gen(function* () {
      const customer = yield* findCustomer(principal, customerId)
      const balances = yield* repo.balances(customer.customer.id)
      return new CustomerBalance({ customer_id: customer.customer.id, balances })
    })

  return { record, list, get, grantCredit, listCredits, balance } as const
})

export class Payments extends Context.Tag("@provisio/core/Payments")<Payments, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Payments, make)
}
