import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { GatewayPaymentMethod } from "../payments/ports.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Money } from "../shared/money.js"
import type { PaymentAttemptId, PaymentAttemptStatus } from "./model.js"

/** An invoice a collector claimed: its automatic charge is due now. */
export interface DueCharge {
  readonly invoice_id: string
  readonly invoice_number: string | null
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  /** What the invoice still owes, in its currency. */
  readonly amount: Money
  /** The customer's default payment method, chargeable (a gateway other than `manual`, not `invoice`). */
  readonly payment_method: GatewayPaymentMethod & { readonly gateway: string }
  /** An attempt of an earlier claim that never learnt its outcome (still pending, no gateway reference): sent again under its id. */
  readonly attempt_in_flight: PaymentAttemptId | null
}

/** A charge to try, with the attempt it is tried under. */
export interface ClaimedCharge extends DueCharge {
  readonly attempt_id: PaymentAttemptId
}

/** A payment attempt as stored, with what settling it needs. */
export interface StoredAttempt {
  readonly id: PaymentAttemptId
  readonly invoice_id: string
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  readonly gateway: string
  readonly payment_method_id: string | null
  readonly amount: Money
  readonly status: PaymentAttemptStatus
  readonly decline_code: string | null
  readonly failure_reason: string | null
  readonly gateway_reference: string | null
  readonly payment_id: string | null
  readonly created_at: DateTime.Utc
}

/** A new attempt to store. */
export interface NewAttempt {
  readonly id: PaymentAttemptId
  readonly invoice_id: string
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  readonly gateway: string
  readonly payment_method_id: string | null
  readonly amount: Money
  /** The gateway's reference when it is known already (a pending charge). */
  readonly gateway_reference: string | null
  readonly failure_reason: string | null
}

/** How an attempt ended (or stands), written over the stored one. */
export interface AttemptOutcome {
  readonly status: PaymentAttemptStatus
  readonly decline_code: string | null
  readonly failure_reason: string | null
  readonly gateway_reference: string | null
  readonly payment_id: string | null
}

/** An invoice's automatic-charge state. */
export interface ChargeState {
  readonly charge_failures: number
  /** When the invoice's first failed attempt was made; null before any failed. */
  readonly first_failure_at: DateTime.Utc | null
}

/**
 * The collector's storage: the queue of automatic charges (`invoices.next_charge_at`) and the
 * attempts (`payment_attempts`). Every method runs in the caller's transaction.
 */
export class CollectorRepo extends Context.Tag("@provisio/core/CollectorRepo")<CollectorRepo, {
  /**
   * Claims up to `limit` invoices whose `next_charge_at <= at`, set-based and skipping those
   * another collector holds (`for update skip locked`). Those with nothing left to charge (not
   * finalized, nothing owed) or no chargeable default payment method drop out of the queue
   * (`next_charge_at` null); the others are leased until `leaseUntil` (`next_charge_at`), so a
   * collector that dies mid-charge leaves them to be claimed again then. Answers the latter.
   */
  readonly claimDue: (
    at: DateTime.Utc,
    leaseUntil: DateTime.Utc,
    limit: number
  ) => Effect.Effect<ReadonlyArray<DueCharge>, PersistenceError>
  /** Stores attempts `pending`, made at `at`. */
  readonly insertAttempts: (attempts: ReadonlyArray<NewAttempt>, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** The attempt, locked for the transaction. */
  readonly lockAttempt: (id: string) => Effect.Effect<Option.Option<StoredAttempt>, PersistenceError>
  /** The attempt the gateway knows by `reference`, locked for the transaction. */
  readonly lockAttemptByReference: (
    gateway: string,
    reference: string
  ) => Effect.Effect<Option.Option<StoredAttempt>, PersistenceError>
  readonly saveAttempt: (id: string, outcome: AttemptOutcome, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** The invoice's failures so far (read after locking it). */
  readonly chargeState: (invoiceId: string) => Effect.Effect<ChargeState, PersistenceError>
  /** Sets when the invoice is charged next (null: not automatically), counting a failure when `failed`. */
  readonly scheduleCharge: (
    invoiceId: string,
    next: DateTime.Utc | null,
    failed: boolean,
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  /** Marks the invoice disputed (a chargeback was opened on a payment of it). */
  readonly markDisputed: (invoiceId: string, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}
