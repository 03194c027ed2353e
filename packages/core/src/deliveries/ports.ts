import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { StoredEvent } from "../events/model.js"
import type { PushRequest } from "../provisioning/push.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { StoredWebhook } from "../webhooks/model.js"
import type { DeliveryAttempt, DeliveryCounts, DeliveryStatus, StoredDelivery } from "./model.js"

export interface DeliveryFilter {
  readonly status?: DeliveryStatus | undefined
  readonly target?: string | undefined
}

export class DeliveryRepo extends Context.Tag("@provisio/core/DeliveryRepo")<DeliveryRepo, {
  /**
   * At most `limit` undispatched events, oldest first (by `seq`), locked until the transaction
   * ends (`for update skip locked`). Dispatchers take turns (a transaction-level lock): while
   * another one runs this answers none, so deliveries are created in the order of their events.
   * Run it in a transaction.
   */
  readonly claimEvents: (limit: number) => Effect.Effect<ReadonlyArray<StoredEvent>, PersistenceError>
  readonly markDispatched: (eventIds: ReadonlyArray<string>, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** The enabled webhooks owned by one of the accounts of `lineage`. */
  readonly webhooksFor: (lineage: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StoredWebhook>, PersistenceError>
  /** Inserts in the order given: that order is the order within an ordering key. */
  readonly insert: (deliveries: ReadonlyArray<StoredDelivery>) => Effect.Effect<void, PersistenceError>
  /**
   * At most `limit` due deliveries (pending or retrying, `next_attempt_at` reached, no live lease)
   * that are the head of their ordering key, leased until `now + timeout + leaseMargin`.
   * Rows another worker holds are skipped. Run it in a transaction.
   */
  readonly claimDue: (
    now: DateTime.Utc,
    limit: number,
    leaseMarginMillis: number
  ) => Effect.Effect<ReadonlyArray<StoredDelivery>, PersistenceError>
  /** Gives up the leases of claimed deliveries not sent after all (a worker stopping), so any worker may send them now. */
  readonly release: (ids: ReadonlyArray<string>) => Effect.Effect<void, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredDelivery>, PersistenceError>
  /** The delivery, its row held until the transaction ends. */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredDelivery>, PersistenceError>
  /** Writes the status, attempts, next attempt, lease, last error and `updated_at`. */
  readonly update: (stored: StoredDelivery) => Effect.Effect<void, PersistenceError>
  readonly recordAttempt: (deliveryId: string, attempt: DeliveryAttempt) => Effect.Effect<void, PersistenceError>
  readonly attempts: (deliveryId: string) => Effect.Effect<ReadonlyArray<DeliveryAttempt>, PersistenceError>
  /** Deliveries whose event's lineage contains `within`, by id. */
  readonly list: (
    within: string,
    filter: DeliveryFilter,
    page: PageRequest
  ) => Effect.Effect<Page<StoredDelivery>, PersistenceError>
  readonly saveConfiguration: (
    subscriptionId: string,
    configuration: Record<string, unknown>,
    deliveryId: string,
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  readonly configurationOf: (
    subscriptionId: string
  ) => Effect.Effect<Option.Option<{ readonly configuration: Record<string, unknown>; readonly at: DateTime.Utc }>, PersistenceError>
  /** How the provisioning deliveries of a subscription stand, and the latest of them. */
  readonly provisioningOf: (subscriptionId: string) => Effect.Effect<{
    readonly counts: DeliveryCounts
    readonly last: Option.Option<StoredDelivery>
  }, PersistenceError>
}>() {}

export interface SignInput {
  readonly method: PushRequest["method"]
  readonly url: string
  readonly timeout_ms: number
  /** The message id (the event id). */
  readonly id: string
  readonly body: string
  /** Every secret that signs, current first. */
  readonly secrets: ReadonlyArray<string>
}

/** Signs a call the Standard Webhooks way (adapters/push/signer.ts). */
export class DeliverySigner extends Context.Tag("@provisio/core/DeliverySigner")<DeliverySigner, {
  readonly sign: (input: SignInput) => Effect.Effect<PushRequest>
}>() {}
