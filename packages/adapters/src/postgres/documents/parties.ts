import * as SqlClient from "@effect/sql/SqlClient"
import { Address } from "@provisio/core/customers/model"
import { FrozenParties, type PartySources } from "@provisio/core/documents/ports"
import { Branding, Legal } from "@provisio/core/settings/model"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { orPersistenceError } from "../persistence.js"

/**
 * The JSON `provisio_document_parties` keeps (migration 0027), read back into the core's types;
 * `provisio_upstream_parties` (0035) keeps the same with the buyer's `country`.
 */
export const Kept = Schema.Struct({
  account_name: Schema.NullOr(Schema.String),
  legal: Schema.NullOr(Legal),
  branding: Schema.NullOr(Branding),
  customer: Schema.Struct({
    id: Schema.String,
    name: Schema.String,
    address: Schema.NullOr(Address),
    country: Schema.optional(Schema.NullOr(Schema.String)),
    tax_id: Schema.NullOr(Schema.String),
    tax_exempt: Schema.String,
    email: Schema.NullOr(Schema.String),
    language: Schema.String
  })
})
const decodeKept = Schema.decodeUnknown(Kept)

/** The parties kept on invoices and credit notes when they were made final. */
export const FrozenPartiesLive = Layer.effect(
  FrozenParties,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const kept = (rows: ReadonlyArray<{ readonly parties: unknown }>) =>
      rows[0]?.parties == null
        ? Effect.succeed(Option.none<PartySources>())
        : Effect.map(decodeKept(rows[0].parties), (p): Option.Option<PartySources> => Option.some(p))
    return FrozenParties.of({
      ofInvoice: (id) => orPersistenceError(Effect.flatMap(sql<{ parties: unknown }>`select parties from invoices where id = ${id}`, kept)),
      ofCreditNote: (id) =>
        orPersistenceError(Effect.flatMap(sql<{ parties: unknown }>`select parties from credit_notes where id = ${id}`, kept))
    })
  })
)
