import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { RefreshToken } from "@provisio/core/auth/model"
import { LoginFailureRepo, RefreshTokenRepo } from "@provisio/core/auth/ports"
import { Timestamp } from "@provisio/core/shared/time"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as crypto from "node:crypto"
import { orPersistenceError } from "./persistence.js"

export const RefreshTokenRepoLive = Layer.effect(
  RefreshTokenRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const insert = SqlSchema.void({
      Request: Schema.Struct({ ...RefreshToken.fields, token_hash: Schema.String }),
      execute: (row) => sql`insert into refresh_tokens ${sql.insert(row)}`
    })
    // `for update`: a concurrent rotation of the same token waits, then finds it used.
    const findByHash = SqlSchema.findOne({
      Request: Schema.String,
      Result: RefreshToken,
      execute: (hash) =>
        sql`select id, family_id, user_id, expires_at, used_at, revoked_at, created_at
              from refresh_tokens where token_hash = ${hash} for update`
    })

    return RefreshTokenRepo.of({
      insert: (token, tokenHash) => orPersistenceError(insert({ ...token, token_hash: tokenHash })),
      findByHash: (hash) => orPersistenceError(findByHash(hash)),
      markUsed: (id, at) =>
        orPersistenceError(sql`update refresh_tokens set used_at = ${DateTime.formatIso(at)} where id = ${id}`).pipe(
          Effect.asVoid
        ),
      revokeFamily: (familyId, at) =>
        orPersistenceError(sql`
          update refresh_tokens set revoked_at = ${DateTime.formatIso(at)}
           where family_id = ${familyId} and revoked_at is null`).pipe(Effect.asVoid),
      revokeUser: (userId, at) =>
        orPersistenceError(sql`
          update refresh_tokens set revoked_at = ${DateTime.formatIso(at)}
           where user_id = ${userId} and revoked_at is null`).pipe(Effect.asVoid)
    })
  })
)

export const LoginFailureRepoLive = Layer.effect(
  LoginFailureRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const since = SqlSchema.findAll({
      Request: Schema.Struct({ email: Schema.String, since: Schema.String }),
      Result: Schema.Struct({ failed_at: Timestamp }),
      execute: ({ email, since }) =>
        sql`select failed_at from login_failures
             where email = ${email} and failed_at > ${since}
             order by failed_at desc`
    })

    return LoginFailureRepo.of({
      since: (email, at) =>
        orPersistenceError(since({ email, since: DateTime.formatIso(at) })).pipe(
          Effect.map((rows) => rows.map((row) => row.failed_at))
        ),
      record: (email, at, forgetBefore) =>
        orPersistenceError(Effect.zipRight(
          sql`delete from login_failures where failed_at <= ${DateTime.formatIso(forgetBefore)}`,
          sql`insert into login_failures ${sql.insert({ email, failed_at: DateTime.formatIso(at) })}`
        )).pipe(Effect.asVoid),
      clear: (email) => orPersistenceError(sql`delete from login_failures where email = ${email}`).pipe(Effect.asVoid)
    })
  })
)

/**
 * A secret kept in the database under `name`, made (32 random bytes) by whichever process asks
 * first: every process sharing the database gets the same one, and it survives restarts.
 */
export const storedSigningKey = (name: string, createdAt: DateTime.Utc) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const candidate = crypto.randomBytes(32).toString("base64url")
    yield* sql`
      insert into signing_keys (name, secret, created_at)
      values (${name}, ${candidate}, ${DateTime.formatIso(createdAt)})
      on conflict (name) do nothing`
    const rows = yield* sql<{ readonly secret: string }>`select secret from signing_keys where name = ${name}`
    return Buffer.from(rows[0]!.secret, "base64url")
  }).pipe(orPersistenceError)
