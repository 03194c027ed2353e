import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { Invoices } from "../invoices/service.js"
import { InvalidState } from "../shared/errors.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { BillingInvoiceRepo } from "./ports.js"
import { rerateLocked } from "./rerate.js"
import { requireBiller } from "./runs.js"

/** Drafts the scheduler finalizes per transaction. */
const DUE_BATCH = 200
const MAX_DUE_BATCHES = 1_000

/** `POST /invoices/{id}/finalize`: an admin of the issuing channel finalizes a draft now. */
export const finalize = (principal: Principal, invoiceId: string) =>
  Effect.gen(function* () {
    const invoices = yield* Invoices
    const writes = yield* BillingInvoiceRepo
    // Any invoice the caller reaches, upstream ones too: those are finalized when issued (409, not 404).
    const invoice = yield* invoices.readInvoice(principal, invoiceId)
    yield* requireBiller(principal, "finalize invoices")
    if (invoice.status !== "draft") {
      return yield* new InvalidState({ message: `invoice ${invoiceId} is ${invoice.status}: only a draft can be finalized` })
    }
    yield* (yield* Transactor).withTransaction(Effect.gen(function* () {
      const locked = yield* writes.lockInvoice(invoiceId)
      if (Option.isNone(locked) || locked.value.status !== "draft") {
        return yield* new InvalidState({ message: `invoice ${invoiceId} is no longer a draft` })
      }
      yield* rerateLocked([invoiceId])
      yield* invoices.finalizeMany([invoiceId])
    }))
    return yield* invoices.getInvoice(principal, invoiceId)
  }).pipe(Effect.withSpan("Billing.finalize"))

/**
 * The scheduler's tick: re-rates every flagged draft, then finalizes the drafts whose grace
 * period has ended, in batches (each one transaction).
 */
export const finalizeDue = Effect.gen(function* () {
  const writes = yield* BillingInvoiceRepo
  const invoices = yield* Invoices
  const transactor = yield* Transactor
  const rerated = yield* transactor.withTransaction(rerateLocked(undefined))
  let finalized = 0
  for (let batch = 0; batch < MAX_DUE_BATCHES; batch++) {
    const at = yield* now
    const done = yield* transactor.withTransaction(Effect.gen(function* () {
      const due = yield* writes.dueDrafts(at, DUE_BATCH)
      if (due.length === 0) return -1
      yield* rerateLocked(due)
      return (yield* invoices.finalizeMany(due)).length
    }))
    if (done <= 0) break
    finalized += done
  }
  return { rerated: rerated.length, finalized }
}).pipe(Effect.withSpan("Billing.finalizeDue"))
