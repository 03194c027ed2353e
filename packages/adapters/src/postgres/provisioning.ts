import * as SqlClient from "@effect/sql/SqlClient"
import { ProductId } from "@provisio/core/catalog/model"
import { ResourceKindSchema, type StoredTarget } from "@provisio/core/provisioning/model"
import { ProvisioningTargetRepo } from "@provisio/core/provisioning/ports"
import { Timestamp } from "@provisio/core/shared/time"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { orPersistenceError } from "./persistence.js"
import { keysOf, KeyColumns } from "./signing-keys.js"

const TargetRow = Schema.Struct({
  product_id: ProductId,
  base_url: Schema.String,
  endpoints: Schema.Array(ResourceKindSchema),
  timeout_ms: Schema.Int,
  ...KeyColumns,
  created_at: Timestamp,
  updated_at: Timestamp
})

const toTarget = (row: typeof TargetRow.Type): StoredTarget => ({
  product_id: row.product_id,
  base_url: row.base_url,
  endpoints: row.endpoints,
  timeout_ms: row.timeout_ms,
  keys: keysOf(row),
  created_at: row.created_at,
  updated_at: row.updated_at
})

const decodeFirst = (rows: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Array(TargetRow))(rows.slice(0, 1)), (decoded) =>
    Option.map(Option.fromNullable(decoded[0]), toTarget))

const iso = (at: DateTime.Utc | null) => (at === null ? null : DateTime.formatIso(at))

export const ProvisioningTargetRepoLive = Layer.effect(
  ProvisioningTargetRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const save = (target: StoredTarget) =>
      Effect.gen(function* () {
        const rows = yield* sql`
          insert into provisioning_targets (product_id, base_url, endpoints, timeout_ms, secret, previous_secret,
                                            previous_secret_expires_at, created_at, updated_at)
          values (${target.product_id}, ${target.base_url}, ${target.endpoints}::text[], ${target.timeout_ms},
                  ${target.keys.current}, ${target.keys.previous}, ${iso(target.keys.previous_expires_at)}::timestamptz,
                  ${iso(target.created_at)}, ${iso(target.updated_at)})
          on conflict (product_id) do update
             set base_url = excluded.base_url, endpoints = excluded.endpoints, timeout_ms = excluded.timeout_ms,
                 secret = excluded.secret, previous_secret = excluded.previous_secret,
                 previous_secret_expires_at = excluded.previous_secret_expires_at, updated_at = excluded.updated_at
          returning *`
        return yield* Effect.flatten(decodeFirst(rows))
      })

    return ProvisioningTargetRepo.of({
      lockProduct: (productId) =>
        orPersistenceError(sql`select id from products where id = ${productId} for update`).pipe(
          Effect.map((rows) => rows.length > 0)
        ),
      find: (productId) =>
        orPersistenceError(
          Effect.flatMap(sql`select * from provisioning_targets where product_id = ${productId}`, decodeFirst)
        ),
      save: (target) => orPersistenceError(save(target))
    })
  })
)
