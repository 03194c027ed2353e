import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { FederatedIdentity } from "@provisio/core/federation/model"
import { FederatedIdentityRepo } from "@provisio/core/federation/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { orPersistenceError } from "./persistence.js"

export const FederatedIdentityRepoLive = Layer.effect(
  FederatedIdentityRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const find = SqlSchema.findOne({
      Request: Schema.Struct({ provider_id: Schema.String, subject: Schema.String }),
      Result: FederatedIdentity,
      execute: ({ provider_id, subject }) =>
        sql`select provider_id, subject, issuer, account_id, user_id from federated_identities
             where provider_id = ${provider_id} and subject = ${subject}`
    })

    return FederatedIdentityRepo.of({
      find: (providerId, subject) => orPersistenceError(find({ provider_id: providerId, subject })),
      link: (identity, at) => {
        const iso = DateTime.formatIso(at)
        return orPersistenceError(sql`
          insert into federated_identities ${sql.insert({ ...identity, created_at: iso, updated_at: iso })}
          on conflict (provider_id, subject) do update
             set issuer = excluded.issuer, account_id = excluded.account_id,
                 user_id = excluded.user_id, updated_at = excluded.updated_at`).pipe(Effect.asVoid)
      }
    })
  })
)
