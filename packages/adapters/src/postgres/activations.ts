import * as SqlClient from "@effect/sql/SqlClient"
import { ActivationKind, type StoredActivation } from "@provisio/core/activations/model"
import { ActivationRepo } from "@provisio/core/activations/ports"
import { toPage } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { orPersistenceError } from "./persistence.js"

const Row = Schema.Struct({
  kind: ActivationKind,
  id: Schema.String,
  subscription_id: Schema.String,
  customer_id: Schema.String,
  lineage: Schema.Array(Schema.String),
  network_id: Schema.NullOr(Schema.String),
  name: Schema.String,
  attributes: Schema.Union(Schema.Record({ key: Schema.String, value: Schema.Unknown }), Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  created_at: Timestamp,
  updated_at: Timestamp
})

const decodeRows = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<StoredActivation>, any> =>
  Schema.decodeUnknown(Schema.Array(Row))(rows)

export const ActivationRepoLive = Layer.effect(
  ActivationRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return ActivationRepo.of({
      insert: (s) =>
        orPersistenceError(sql`insert into activations ${
          sql.insert({
            id: s.id,
            kind: s.kind,
            subscription_id: s.subscription_id,
            customer_id: s.customer_id,
            lineage: [...s.lineage],
            network_id: s.network_id,
            name: s.name,
            attributes: JSON.stringify(s.attributes),
            created_at: DateTime.formatIso(s.created_at),
            updated_at: DateTime.formatIso(s.updated_at)
          })
        }`).pipe(Effect.asVoid),
      update: (s) =>
        orPersistenceError(sql`update activations set ${
          sql.update({
            name: s.name,
            network_id: s.network_id,
            attributes: JSON.stringify(s.attributes),
            updated_at: DateTime.formatIso(s.updated_at)
          })
        } where id = ${s.id}`).pipe(Effect.asVoid),
      remove: (kind, id) =>
        orPersistenceError(sql`delete from activations where kind = ${kind} and id = ${id}`).pipe(Effect.asVoid),
      find: (kind, subscriptionId, id) =>
        orPersistenceError(Effect.flatMap(
          sql`select * from activations where kind = ${kind} and subscription_id = ${subscriptionId} and id = ${id}`,
          decodeRows
        )).pipe(Effect.map((rows) => Option.fromNullable(rows[0]))),
      list: (kind, subscriptionId, networkId, page) =>
        orPersistenceError(Effect.flatMap(
          sql`select * from activations where kind = ${kind} and subscription_id = ${subscriptionId}
              ${networkId === undefined ? sql`` : sql`and network_id = ${networkId}`}
              ${pageClause(sql, page)}`,
          decodeRows
        )).pipe(Effect.map((rows) => toPage(rows, page))),
      countInNetwork: (networkId) =>
        orPersistenceError(Effect.map(
          sql<{ n: number | string }>`select count(*)::int as n from activations where network_id = ${networkId}`,
          (rows) => Number(rows[0]?.n ?? 0)
        ))
    })
  })
)
