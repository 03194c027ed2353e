import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Account, ApiKey, Principal } from "@provisio/core/identity/model"
import type { Authenticated } from "@provisio/core/identity/model"
import { AccountRepo, ApiKeyRepo } from "@provisio/core/identity/ports"
import { type PrincipalCache, principalCache } from "@provisio/core/auth/principal-cache"
import * as Context from "effect/Context"
import type { PersistenceError } from "@provisio/core/shared/errors"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as FiberId from "effect/FiberId"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause, searchClause } from "./pagination.js"
import { orPersistenceError, refusedWhileReferenced } from "./persistence.js"
import { ScopeRow, scopes } from "./scopes.js"

/**
 * The principals `ApiKeyRepo.authenticate` answers from memory (`PRINCIPAL_CACHE_BOUND`), one
 * cache per build of the repositories (a process): a change that alters a principal made through
 * them (an account updated or deleted, a key or a customer deleted) forgets every entry at once;
 * another process's change is seen within the bound.
 */
export class Principals extends Context.Tag("@provisio/adapters/Principals")<Principals, PrincipalCache<Authenticated>>() {
  static readonly layer = Layer.sync(Principals, () => principalCache<Authenticated>())
}

export const AccountRepoLive = Layer.effect(
  AccountRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const principals = yield* Principals

    const insert = SqlSchema.single({
      Request: Account,
      Result: Account,
      execute: (account) => sql`insert into accounts ${sql.insert(account)} returning *`
    })
    const update = SqlSchema.single({
      Request: Account,
      Result: Account,
      execute: (account) =>
        sql`update accounts set ${sql.update(account, ["id", "kind", "lineage", "created_at"])}
            where id = ${account.id} returning *`
    })
    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: Account,
      execute: (id) => sql`select * from accounts where id = ${id}`
    })
    const list = (kind: Account["kind"], within: string, page: PageRequest, search: string | undefined) =>
      SqlSchema.findAll({
        Request: Schema.Void,
        Result: Account,
        execute: () =>
          sql`select * from accounts where kind = ${kind} and lineage @> array[${within}]::text[]
              ${searchClause(sql, search, ["name"])} ${pageClause(sql, page)}`
      })(undefined).pipe(Effect.map((rows) => toPage(rows, page)))
    const findScope = SqlSchema.findOne({
      Request: Schema.String,
      Result: ScopeRow,
      execute: (id) => sql`select * from ${scopes(sql)} s where s.id = ${id}`
    })

    return AccountRepo.of({
      insert: (account) => orPersistenceError(insert(account)),
      // A suspension, a move, an edition: what the principals of the account's keys say.
      update: (account) => orPersistenceError(update(account)).pipe(Effect.ensuring(Effect.sync(principals.clear))),
      // Keys, users and price lists of the account go with it, and it leaves the lists assigned to
      // it by name. Billing history that names it (runs it started, invoices it issued or was billed,
      // its number series) stays, so such an account cannot go: InvalidState, not a database failure.
      delete: (id) =>
        sql.withTransaction(Effect.gen(function* () {
          yield* sql`delete from api_keys where account_id = ${id}`
          yield* sql`delete from users where account_id = ${id}`
          yield* sql`delete from price_list_assignments where assignee_id = ${id}`
          yield* sql`delete from price_lists where owner_account_id = ${id}`
          yield* sql`delete from accounts where id = ${id}`
        })).pipe(
          refusedWhileReferenced(`account ${id} has billing history (billing runs, invoices it issued or was billed): suspend it instead`),
          Effect.ensuring(Effect.sync(principals.clear))
        ),
      findById: (id) => orPersistenceError(findById(id)),
      findPlatform: orPersistenceError(
        SqlSchema.findOne({
          Request: Schema.Void,
          Result: Account,
          execute: () => sql`select * from accounts where kind = 'platform'`
        })(undefined)
      ),
      list: (kind, within, page, search) => orPersistenceError(list(kind, within, page, search)),
      hasChildren: (id) =>
        orPersistenceError(
          sql<{ readonly found: boolean }>`
            select exists (select 1 from accounts where parent_id = ${id})
                or exists (select 1 from customers where partner_id = ${id}) as found`
        ).pipe(Effect.map((rows) => rows[0]?.found === true)),
      findScope: (id) => orPersistenceError(findScope(id))
    })
  })
)

const PrincipalRow = Schema.Struct({
  api_key_id: Schema.String,
  account_id: Schema.String,
  role: ApiKey.fields.role,
  account_kind: ScopeRow.fields.kind,
  lineage: Schema.Array(Schema.String),
  edition: ScopeRow.fields.edition,
  suspended_by: ScopeRow.fields.suspended_by
})

export const ApiKeyRepoLive = Layer.effect(
  ApiKeyRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const principals = yield* Principals

    const insert = SqlSchema.single({
      Request: Schema.Struct({ key: ApiKey, secret_hash: Schema.String }),
      Result: ApiKey,
      execute: ({ key, secret_hash }) =>
        sql`insert into api_keys ${sql.insert({ ...key, secret_hash })}
            returning id, account_id, role, name, prefix, last_used_at, created_at, updated_at`
    })
    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: ApiKey,
      execute: (id) => sql`select * from api_keys where id = ${id}`
    })
    const list = (within: string, page: PageRequest) =>
      SqlSchema.findAll({
        Request: Schema.Void,
        Result: ApiKey,
        execute: () =>
          sql`select k.* from api_keys k
               where k.account_id in (
                 select id from accounts where lineage @> array[${within}]::text[]
                 union all
                 select id from customers where lineage @> array[${within}]::text[])
               ${pageClause(sql, page, "k.id")}`
      })(undefined).pipe(Effect.map((rows) => toPage(rows, page)))
    // The key, where its account sits, and the partner's edition, in one round trip; the key is
    // marked used at most once a minute, in the same statement (a WITH update runs whether or not
    // the query reads it), so authenticating costs one round trip and stays a read on busy keys.
    const findPrincipal = SqlSchema.findOne({
      Request: Schema.Struct({ hash: Schema.String, at: Schema.String }),
      Result: PrincipalRow,
      execute: ({ at, hash }) =>
        sql`with touched as (
              update api_keys set last_used_at = ${at}
               where secret_hash = ${hash} and (last_used_at is null or last_used_at < ${at}::timestamptz - interval '1 minute')
              returning id
            )
            select k.id as api_key_id, k.account_id, k.role, s.kind as account_kind, s.lineage, s.edition, s.suspended_by
              from api_keys k join ${scopes(sql)} s on s.id = k.account_id
             where k.secret_hash = ${hash}`
    })

    // Keys being read now, by secret hash (see `authenticate`).
    const reading = new Map<string, Deferred.Deferred<Option.Option<Authenticated>, PersistenceError>>()
    const read = (hash: string, at: DateTime.Utc, atMillis: number) => {
      // What this process changes while the key is read must not be remembered in its old state.
      const generation = principals.generation()
      return orPersistenceError(findPrincipal({ hash, at: DateTime.formatIso(at) })).pipe(
        Effect.map(Option.map((row) => {
          const authenticated: Authenticated = {
            // Decoded by `PrincipalRow` just now: not validated again.
            principal: new Principal({
              account_id: row.account_id,
              account_kind: row.account_kind,
              role: row.role,
              lineage: row.lineage,
              edition: row.edition,
              api_key_id: row.api_key_id
            }, true),
            suspended_by: row.suspended_by
          }
          principals.set(hash, authenticated, atMillis, generation)
          return authenticated
        }))
      )
    }

    return ApiKeyRepo.of({
      insert: (stored) => orPersistenceError(insert(stored)),
      findById: (id) => orPersistenceError(findById(id)),
      list: (within, page) => orPersistenceError(list(within, page)),
      delete: (id) =>
        orPersistenceError(sql`delete from api_keys where id = ${id}`).pipe(
          Effect.asVoid,
          Effect.ensuring(Effect.sync(principals.clear))
        ),
      authenticate: (hash, at) => {
        const atMillis = DateTime.toEpochMillis(at)
        const remembered = principals.get(hash, atMillis)
        if (remembered !== undefined) return Effect.succeed(Option.some(remembered))
        // Requests that find the key forgotten while it is being read wait for that read rather
        // than each reading it (64 at once would read it 64 times). If that read did not end
        // with an answer (its request went away), each reads it itself.
        const pending = reading.get(hash)
        if (pending !== undefined) return Effect.catchAllCause(Deferred.await(pending), () => read(hash, at, atMillis))
        const done = Deferred.unsafeMake<Option.Option<Authenticated>, PersistenceError>(FiberId.none)
        reading.set(hash, done)
        return read(hash, at, atMillis).pipe(
          Effect.onExit((exit) =>
            Effect.suspend(() => {
              reading.delete(hash)
              return Deferred.done(done, exit)
            }))
        )
      }
    })
  })
)
