import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import type { SqlError } from "@effect/sql/SqlError"
import { DuplicateCustomer } from "@provisio/core/customers/errors"
import { CollectionMethod } from "@provisio/core/collection/model"
import { type CollectionChoice, Contact, Customer, PaymentMethod, ProductLocation } from "@provisio/core/customers/model"
import {
  type ChildRepo,
  ContactRepo,
  CustomerRepo,
  LocationRepo,
  PaymentMethodRepo,
  type StoredCustomer
} from "@provisio/core/customers/ports"
import type { PersistenceError } from "@provisio/core/shared/errors"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import type * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { resolvedCollectionMethodSql, resolvedPaymentTermsSql } from "./collection/resolved.js"
import { pageClause, searchClause } from "./pagination.js"
import { Principals } from "./identity.js"
import { isUniqueViolation, orPersistenceError, refusedWhileReferenced } from "./persistence.js"
import { groupedInsert } from "./grouped-insert.js"
import { plainStatement } from "./plain-statements.js"

// `address` and `metadata` are jsonb: node-postgres sends plain objects as JSON (arrays would go
// as Postgres arrays, but neither column holds one at the top level) and parses them on reading.

/** A customer row: the collection fields as set, and resolved (`RESOLVED`). */
const CustomerRow = Schema.Struct({
  ...Customer.fields,
  lineage: Schema.Array(Schema.String),
  collection_method: Schema.NullOr(CollectionMethod),
  payment_terms_days: Schema.NullOr(Schema.Int),
  resolved_collection_method: CollectionMethod,
  resolved_payment_terms_days: Schema.Int
})

const RESOLVED = `${resolvedCollectionMethodSql("c")} as resolved_collection_method,
  ${resolvedPaymentTermsSql("c")} as resolved_payment_terms_days`

const toStored = (
  { collection_method, lineage, payment_terms_days, resolved_collection_method, resolved_payment_terms_days, ...fields }:
    typeof CustomerRow.Type
): StoredCustomer => ({
  // Every field was decoded by `CustomerRow` just now: not validated again.
  customer: new Customer({
    ...fields,
    collection_method: resolved_collection_method,
    payment_terms_days: resolved_payment_terms_days
  }, true),
  lineage,
  collection: { collection_method, payment_terms_days }
})

/** The columns a write sets from a customer: all but the resolved ones and the stage dunning keeps. */
const writable = (customer: Customer, collection: CollectionChoice) => {
  const { collection_method: _method, dunning_stage: _stage, payment_terms_days: _terms, ...fields } = customer
  return { ...fields, ...collection }
}

/** `external_id` is unique per partner: that one violation is the caller's to fix, not a failure of ours. */
const orDuplicate = <A>(
  effect: Effect.Effect<A, SqlError | ParseResult.ParseError | Cause.NoSuchElementException>,
  customer: Customer
): Effect.Effect<A, DuplicateCustomer | PersistenceError> =>
  Effect.catchAll(effect, (error): Effect.Effect<never, DuplicateCustomer | PersistenceError> =>
    isUniqueViolation(error, "customers_external_id_unique")
      ? Effect.fail(DuplicateCustomer.of(customer.external_id ?? ""))
      : orPersistenceError(Effect.fail(error)))

export const CustomerRepoLive = Layer.scoped(
  CustomerRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const principals = yield* Principals

    const decodeRow = Schema.decodeUnknown(CustomerRow)
    const one = <E, R>(rows: Effect.Effect<ReadonlyArray<unknown>, E, R>) =>
      Effect.flatMap(rows, (found) => Effect.map(decodeRow(found[0]), (row) => toStored(row).customer))
    // Encoded by hand: the model's schema holds the resolved fields, not the stored ones.
    const encodeRow = (customer: Customer, collection: CollectionChoice) =>
      Effect.map(Schema.encode(Customer)(customer), (encoded) => writable(encoded as unknown as Customer, collection))

    // The hottest write (POST /customers) and read but one (GET /customers/{id}): on the pool.
    const statement = yield* plainStatement
    // Concurrent inserts in one statement, each carrying its idempotency key's claim when one
    // waits (IdempotencyStore.claimAlong).
    const insertRow = yield* groupedInsert({ table: "customers", key: "id", select: `select c.*, ${RESOLVED} from inserted c` })
    const insert = (stored: StoredCustomer) =>
      Effect.flatMap(encodeRow(stored.customer, stored.collection), (row) =>
        one(Effect.map(insertRow({ ...row, lineage: stored.lineage }), (inserted) => [inserted])))
    const update = (customer: Customer, collection: CollectionChoice) =>
      Effect.flatMap(encodeRow(customer, collection), (row) =>
        one(sql`with c as (update customers set ${sql.update(row, ["id", "partner_id", "created_at"])}
                            where id = ${customer.id} returning *)
                select c.*, ${sql.unsafe(RESOLVED)} from c`))
    // Made once: a schema made per call is compiled per call (50 rows a page).
    const decodeRows = Schema.decodeUnknown(Schema.Array(CustomerRow))
    const findById = (id: string) =>
      Effect.flatMap(statement(`select c.*, ${RESOLVED} from customers c where c.id = $1`, [id]), (rows) =>
        Effect.map(decodeRows(rows.slice(0, 1)), (decoded) => Option.fromNullable(decoded[0])))
    const list = (within: string, page: PageRequest, search: string | undefined) =>
      sql`select c.*, ${sql.unsafe(RESOLVED)} from customers c where c.lineage @> array[${within}]::text[]
          ${searchClause(sql, search, ["c.name", "c.external_id", "c.email"], "c.id")} ${pageClause(sql, page, "c.id")}`.pipe(
        Effect.flatMap(decodeRows),
        Effect.map((rows) => toPage(rows.map((row) => toStored(row).customer), page))
      )

    return CustomerRepo.of({
      insert: (stored) => orDuplicate(insert(stored), stored.customer),
      update: (customer, collection) => orDuplicate(update(customer, collection), customer),
      // Keys and users of the customer go with it, and it leaves the price lists naming it (no
      // foreign key holds those); its child records follow by cascade. Records of the issuing side
      // that name its invoices or payments stay (a bank statement line that paid one), so such a
      // customer cannot go: InvalidState, not a database failure.
      delete: (id) =>
        sql.withTransaction(Effect.gen(function* () {
          yield* sql`delete from api_keys where account_id = ${id}`
          yield* sql`delete from users where account_id = ${id}`
          yield* sql`delete from price_list_assignments where assignee_id = ${id}`
          yield* sql`delete from customers where id = ${id}`
        })).pipe(
          refusedWhileReferenced(
            `customer ${id} has payments its issuer's records keep (a bank statement line that paid its invoice): ` +
              "set its status to closed instead"
          ),
          Effect.ensuring(Effect.sync(principals.clear))
        ),
      findById: (id) => orPersistenceError(findById(id)).pipe(Effect.map(Option.map(toStored))),
      list: (within, page, search) => orPersistenceError(list(within, page, search))
    })
  })
)

/**
 * The queries every customer-owned table shares: rows are always addressed through their
 * customer, so an id from another customer never matches.
 */
const childRepo = <A extends { readonly id: string; readonly customer_id: string }, I extends Record<string, unknown>>(
  sql: SqlClient.SqlClient,
  table: string,
  schema: Schema.Schema<A, I>
): ChildRepo<A> => {
  const insert = SqlSchema.single({
    Request: schema,
    Result: schema,
    execute: (record) => sql`insert into ${sql(table)} ${sql.insert(record)} returning *`
  })
  const update = SqlSchema.single({
    Request: schema,
    Result: schema,
    execute: (record) =>
      sql`update ${sql(table)} set ${sql.update(record, ["id", "customer_id", "created_at"])}
          where id = ${record["id"] as string} and customer_id = ${record["customer_id"] as string} returning *`
  })
  const Key = Schema.Struct({ customer_id: Schema.String, id: Schema.String })
  const findById = SqlSchema.findOne({
    Request: Key,
    Result: schema,
    execute: ({ customer_id, id }) => sql`select * from ${sql(table)} where id = ${id} and customer_id = ${customer_id}`
  })
  const list = (customerId: string, page: PageRequest) =>
    SqlSchema.findAll({
      Request: Schema.Void,
      Result: schema,
      execute: () => sql`select * from ${sql(table)} where customer_id = ${customerId} ${pageClause(sql, page)}`
    })(undefined).pipe(Effect.map((rows) => toPage(rows, page)))

  return {
    insert: (record) => orPersistenceError(insert(record)),
    update: (record) => orPersistenceError(update(record)),
    delete: (customerId, id) =>
      orPersistenceError(sql`delete from ${sql(table)} where id = ${id} and customer_id = ${customerId}`).pipe(
        Effect.asVoid
      ),
    findById: (customerId, id) => orPersistenceError(findById({ customer_id: customerId, id })),
    list: (customerId, page) => orPersistenceError(list(customerId, page))
  }
}

export const ContactRepoLive = Layer.effect(
  ContactRepo,
  Effect.map(SqlClient.SqlClient, (sql) => ContactRepo.of(childRepo(sql, "contacts", Contact)))
)

export const PaymentMethodRepoLive = Layer.effect(
  PaymentMethodRepo,
  Effect.map(SqlClient.SqlClient, (sql) =>
    PaymentMethodRepo.of({
      ...childRepo(sql, "payment_methods", PaymentMethod),
      // Locking the customer's row first makes concurrent default changes of one customer
      // wait for each other instead of colliding on payment_methods_one_default.
      clearDefault: (customerId, at) =>
        orPersistenceError(Effect.zipRight(
          sql`select id from customers where id = ${customerId} for update`,
          sql`update payment_methods set is_default = false, updated_at = ${DateTime.formatIso(at)}
              where customer_id = ${customerId} and is_default`
        )).pipe(Effect.asVoid)
    }))
)

export const LocationRepoLive = Layer.effect(
  LocationRepo,
  Effect.map(SqlClient.SqlClient, (sql) => LocationRepo.of(childRepo(sql, "product_locations", ProductLocation)))
)
