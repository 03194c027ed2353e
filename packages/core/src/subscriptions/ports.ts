import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { QuantityRequest, StoredSubscription, SubscriptionStatus } from "./model.js"

export interface SubscriptionFilter {
  readonly customer_id?: string | undefined
  readonly status?: SubscriptionStatus | undefined
}

export class SubscriptionRepo extends Context.Tag("@provisio/core/SubscriptionRepo")<SubscriptionRepo, {
  readonly insert: (stored: StoredSubscription) => Effect.Effect<void, PersistenceError>
  /** Writes every field but the ids, the customer, the product, the lineage and `created_at`. */
  readonly update: (stored: StoredSubscription) => Effect.Effect<void, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredSubscription>, PersistenceError>
  /**
   * The subscription, its row held until the transaction ends so changes to one subscription
   * happen one at a time. Run it in a transaction.
   */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredSubscription>, PersistenceError>
  /** The add-ons of `parentId` whose status is one of `statuses`, locked like `lock`. */
  readonly lockAddons: (
    parentId: string,
    statuses: ReadonlyArray<SubscriptionStatus>
  ) => Effect.Effect<ReadonlyArray<StoredSubscription>, PersistenceError>
  /** Subscriptions whose lineage contains `within`, by id. */
  readonly list: (
    within: string,
    filter: SubscriptionFilter,
    page: PageRequest
  ) => Effect.Effect<Page<StoredSubscription>, PersistenceError>
  /**
   * At most `limit` active subscriptions whose current period ended at or before `now`, locked
   * until the transaction ends; rows another transaction holds are skipped, not waited for, so
   * any number of schedulers can claim at once and each due subscription goes to one of them.
   * An add-on whose parent is itself due is left until the parent has been handled (the parent's
   * end may end it too). Run it in a transaction.
   */
  readonly claimDue: (now: DateTime.Utc, limit: number) => Effect.Effect<ReadonlyArray<StoredSubscription>, PersistenceError>
  /**
   * Dunning's change of a customer's service, set-based: the subscriptions of `customerIds` in
   * one of `from` become `to` at `at` (`cancelled` also sets `cancelled_at`). Answers them as changed.
   */
  readonly setStatusOfCustomers: (
    customerIds: ReadonlyArray<string>,
    from: ReadonlyArray<SubscriptionStatus>,
    to: "active" | "suspended" | "cancelled",
    at: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<StoredSubscription>, PersistenceError>
  /**
   * Where the subscription's `installment` lines on paid invoices start, in `[from, to)`: the
   * installments a customer has paid (a line starts where its billing period does, or later when
   * prorated).
   */
  readonly paidInstallmentStarts: (
    subscriptionId: string,
    from: DateTime.Utc,
    to: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<DateTime.Utc>, PersistenceError>
}>() {}

export class QuantityRequestRepo extends Context.Tag("@provisio/core/QuantityRequestRepo")<QuantityRequestRepo, {
  readonly insert: (request: QuantityRequest) => Effect.Effect<void, PersistenceError>
  /** Writes the state, the reason and the times. */
  readonly update: (request: QuantityRequest) => Effect.Effect<void, PersistenceError>
  /** The request of this subscription with this id. */
  readonly findById: (subscriptionId: string, id: string) => Effect.Effect<Option.Option<QuantityRequest>, PersistenceError>
  /** The subscription's request that is still pending, if any. */
  readonly findPending: (subscriptionId: string) => Effect.Effect<Option.Option<QuantityRequest>, PersistenceError>
}>() {}
