import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import type { PersistenceError } from "@provisio/core/shared/errors"
import { ProviderIdTaken } from "@provisio/core/settings/errors"
import { BillingSettings, Branding, ChannelSettings, IdentityProvider, Legal, Licensing, Settings } from "@provisio/core/settings/model"
import { SettingsRepo, type SettingsChanges } from "@provisio/core/settings/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { orPersistenceError } from "./persistence.js"

// The sections are jsonb, sent as JSON text: node-postgres would send the providers' top-level
// array as a Postgres array.
const json = <A, I>(schema: Schema.Schema<A, I>, value: A) =>
  Effect.map(Schema.encode(schema)(value), (encoded) => JSON.stringify(encoded))

const Providers = Schema.Array(IdentityProvider)

const ProviderRow = Schema.Struct({
  account_id: Schema.String,
  lineage: Schema.Array(Schema.String),
  provider: IdentityProvider
})

export const SettingsRepoLive = Layer.effect(
  SettingsRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const find = SqlSchema.findOne({
      Request: Schema.String,
      Result: Settings,
      execute: (accountId) => sql`select * from account_settings where account_id = ${accountId}`
    })
    // The provider's account may be an account or a customer; one deleted since has no row here.
    const findProvider = SqlSchema.findOne({
      Request: Schema.String,
      Result: ProviderRow,
      execute: (id) =>
        sql`select s.account_id, o.lineage, p.provider
              from identity_providers i
              join account_settings s on s.account_id = i.account_id
              cross join lateral jsonb_array_elements(s.identity_providers) as p (provider)
              join (select id, lineage from accounts
                    union all
                    select id, lineage from customers) o on o.id = s.account_id
             where i.id = ${id} and p.provider ->> 'id' = ${id}`
    })

    const save = (accountId: string, changes: SettingsChanges, at: DateTime.Utc) =>
      Effect.gen(function* () {
        const iso = DateTime.formatIso(at)
        const branding = yield* json(Branding, changes.branding ?? new Branding({}))
        const licensing = yield* json(Licensing, changes.licensing ?? new Licensing({}))
        const providers = yield* json(Providers, changes.identity_providers ?? [])
        const billing = yield* json(BillingSettings, changes.billing ?? new BillingSettings({}))
        const legal = yield* json(Legal, changes.legal ?? new Legal({}))
        const channel = yield* json(ChannelSettings, changes.channel ?? new ChannelSettings({}))
        // Only the sections given replace what is stored, in one statement: concurrent writes of
        // different sections both land.
        const replaced = [
          ...(changes.branding === undefined ? [] : ["branding = excluded.branding"]),
          ...(changes.licensing === undefined ? [] : ["licensing = excluded.licensing"]),
          ...(changes.identity_providers === undefined ? [] : ["identity_providers = excluded.identity_providers"]),
          ...(changes.billing === undefined ? [] : ["billing = excluded.billing"]),
          ...(changes.legal === undefined ? [] : ["legal = excluded.legal"]),
          ...(changes.channel === undefined ? [] : ["channel = excluded.channel"]),
          "updated_at = excluded.updated_at"
        ]
        const rows = yield* sql`
          insert into account_settings (account_id, branding, licensing, identity_providers, billing, legal, channel, created_at, updated_at)
          values (${accountId}, ${branding}::jsonb, ${licensing}::jsonb, ${providers}::jsonb, ${billing}::jsonb, ${legal}::jsonb,
                  ${channel}::jsonb, ${iso}, ${iso})
          on conflict (account_id) do update set ${sql.csv(replaced)}
          returning *`
        const settings = yield* Schema.decodeUnknown(Settings)(rows[0])
        if (changes.identity_providers !== undefined) {
          const ids = changes.identity_providers.map((p) => p.id)
          yield* sql`delete from identity_providers where account_id = ${accountId}`
          if (ids.length > 0) {
            // A concurrent writer of the same id waits here and then finds it taken.
            const inserted = yield* sql<{ readonly id: string }>`
              insert into identity_providers ${sql.insert(ids.map((id) => ({ id, account_id: accountId })))}
              on conflict (id) do nothing
              returning id`
            const taken = ids.find((id) => !inserted.some((row) => row.id === id))
            if (taken !== undefined) return yield* ProviderIdTaken.of(taken)
          }
        }
        return settings
      }).pipe(
        sql.withTransaction,
        Effect.catchAll((error): Effect.Effect<never, ProviderIdTaken | PersistenceError> =>
          error instanceof ProviderIdTaken ? Effect.fail(error) : orPersistenceError(Effect.fail(error)))
      )

    return SettingsRepo.of({
      find: (accountId) => orPersistenceError(find(accountId)),
      save,
      findProvider: (id) => orPersistenceError(findProvider(id))
    })
  })
)
