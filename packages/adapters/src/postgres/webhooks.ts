import * as SqlClient from "@effect/sql/SqlClient"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import { type StoredWebhook, WebhookId } from "@provisio/core/webhooks/model"
import { WebhookRepo } from "@provisio/core/webhooks/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { orPersistenceError } from "./persistence.js"
import { KeyColumns, keysOf } from "./signing-keys.js"

const WebhookRow = Schema.Struct({
  id: WebhookId,
  account_id: Schema.String,
  lineage: Schema.Array(Schema.String),
  url: Schema.String,
  events: Schema.Array(Schema.String),
  description: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  timeout_ms: Schema.Int,
  ...KeyColumns,
  created_at: Timestamp,
  updated_at: Timestamp
})

const toWebhook = (row: typeof WebhookRow.Type): StoredWebhook => ({
  id: row.id,
  account_id: row.account_id,
  lineage: row.lineage,
  url: row.url,
  events: row.events,
  description: row.description,
  enabled: row.enabled,
  timeout_ms: row.timeout_ms,
  keys: keysOf(row),
  created_at: row.created_at,
  updated_at: row.updated_at
})

/** Stored webhooks from `select * from webhooks` rows: also what the delivery dispatcher reads. */
export const decodeAll = (rows: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Array(WebhookRow))(rows), (decoded) => decoded.map(toWebhook))

const decodeFirst = (rows: ReadonlyArray<unknown>) =>
  Effect.map(decodeAll(rows.slice(0, 1)), (decoded) => Option.fromNullable(decoded[0]))

const iso = (at: DateTime.Utc | null) => (at === null ? null : DateTime.formatIso(at))

export const WebhookRepoLive = Layer.effect(
  WebhookRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const insert = (webhook: StoredWebhook) =>
      Effect.flatMap(
        sql`
          insert into webhooks (id, account_id, lineage, url, events, description, enabled, timeout_ms, secret,
                                previous_secret, previous_secret_expires_at, created_at, updated_at)
          values (${webhook.id}, ${webhook.account_id}, ${webhook.lineage}::text[], ${webhook.url},
                  ${webhook.events}::text[], ${webhook.description}, ${webhook.enabled}, ${webhook.timeout_ms},
                  ${webhook.keys.current}, ${webhook.keys.previous}, ${iso(webhook.keys.previous_expires_at)}::timestamptz,
                  ${iso(webhook.created_at)}, ${iso(webhook.updated_at)})
          returning *`,
        decodeFirst
      ).pipe(Effect.flatten)

    const update = (webhook: StoredWebhook) =>
      Effect.flatMap(
        sql`
          update webhooks
             set url = ${webhook.url}, events = ${webhook.events}::text[], description = ${webhook.description},
                 enabled = ${webhook.enabled}, timeout_ms = ${webhook.timeout_ms}, secret = ${webhook.keys.current},
                 previous_secret = ${webhook.keys.previous},
                 previous_secret_expires_at = ${iso(webhook.keys.previous_expires_at)}::timestamptz,
                 updated_at = ${iso(webhook.updated_at)}
           where id = ${webhook.id}
          returning *`,
        decodeFirst
      ).pipe(Effect.flatten)

    const list = (within: string, page: PageRequest) =>
      Effect.flatMap(
        sql`select * from webhooks where lineage @> array[${within}]::text[] ${pageClause(sql, page)}`,
        decodeAll
      ).pipe(Effect.map((rows) => toPage(rows, page)))

    return WebhookRepo.of({
      insert: (webhook) => orPersistenceError(insert(webhook)),
      update: (webhook) => orPersistenceError(update(webhook)),
      delete: (id) =>
        orPersistenceError(sql`delete from webhooks where id = ${id} returning id`).pipe(
          Effect.map((rows) => rows.length > 0)
        ),
      findById: (id) => orPersistenceError(Effect.flatMap(sql`select * from webhooks where id = ${id}`, decodeFirst)),
      lock: (id) =>
        orPersistenceError(Effect.flatMap(sql`select * from webhooks where id = ${id} for update`, decodeFirst)),
      list: (within, page) => orPersistenceError(list(within, page))
    })
  })
)
