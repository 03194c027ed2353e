import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { InvalidState, PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { DuplicateCustomer } from "./errors.js"
import type { CollectionChoice, Contact, Customer, PaymentMethod, ProductLocation } from "./model.js"

/**
 * A customer with its place in the hierarchy: the partner's lineage plus the customer's own
 * id. Kept beside the public model so scope checks never leak it into answers.
 */
export interface StoredCustomer {
  readonly customer: Customer
  readonly lineage: ReadonlyArray<string>
  /** The collection fields as set (the customer shows them resolved). */
  readonly collection: CollectionChoice
}

export class CustomerRepo extends Context.Tag("@provisio/core/CustomerRepo")<CustomerRepo, {
  /** Fails with `DuplicateCustomer` when the partner already has a customer with that `external_id`. */
  readonly insert: (stored: StoredCustomer) => Effect.Effect<Customer, DuplicateCustomer | PersistenceError>
  /**
   * Writes every field but `id`, `partner_id`, `created_at`, `dunning_stage` and the resolved
   * collection fields (`collection` is written in their place); the lineage never changes.
   * Answers the customer with its collection fields resolved again.
   */
  readonly update: (customer: Customer, collection: CollectionChoice) => Effect.Effect<Customer, DuplicateCustomer | PersistenceError>
  /** Removes the customer with its contacts, payment methods, locations and API keys. */
  /** InvalidState when records that stay name its invoices or payments (a bank statement line). */
  readonly delete: (id: Customer["id"]) => Effect.Effect<void, InvalidState | PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredCustomer>, PersistenceError>
  /** Customers whose lineage contains `within` (the caller's account, or a customer itself). */
  /** The customers below `within`; with `search`, those whose name, external id or email contains it, or whose id it is. */
  readonly list: (within: string, page: PageRequest, search?: string) => Effect.Effect<Page<Customer>, PersistenceError>
}>() {}

/** The storage of one kind of record that belongs to a customer, always addressed through it. */
export interface ChildRepo<A extends { readonly id: string; readonly customer_id: string }> {
  readonly insert: (record: A) => Effect.Effect<A, PersistenceError>
  /** Writes every field but `id`, `customer_id` and `created_at`. */
  readonly update: (record: A) => Effect.Effect<A, PersistenceError>
  readonly delete: (customerId: A["customer_id"], id: A["id"]) => Effect.Effect<void, PersistenceError>
  readonly findById: (customerId: string, id: string) => Effect.Effect<Option.Option<A>, PersistenceError>
  readonly list: (customerId: string, page: PageRequest) => Effect.Effect<Page<A>, PersistenceError>
}

export class ContactRepo extends Context.Tag("@provisio/core/ContactRepo")<ContactRepo, ChildRepo<Contact>>() {}

export class PaymentMethodRepo extends Context.Tag("@provisio/core/PaymentMethodRepo")<PaymentMethodRepo, ChildRepo<PaymentMethod> & {
  /**
   * Unmarks the customer's default payment method, before another one becomes the default.
   * Run it in the same transaction as that write; it serialises concurrent default changes
   * of one customer.
   */
  readonly clearDefault: (
    customerId: PaymentMethod["customer_id"],
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
}>() {}

export class LocationRepo extends Context.Tag("@provisio/core/LocationRepo")<LocationRepo, ChildRepo<ProductLocation>>() {}
