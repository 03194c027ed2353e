import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import type { SqlError } from "@effect/sql/SqlError"
import type { PersistenceError } from "@provisio/core/shared/errors"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import { DuplicateUser } from "@provisio/core/users/errors"
import { User } from "@provisio/core/users/model"
import { UserRepo } from "@provisio/core/users/ports"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { isUniqueViolation, orPersistenceError } from "./persistence.js"
import { ScopeRow, scopes } from "./scopes.js"

const StoredUserRow = Schema.Struct({ ...User.fields, password_hash: Schema.NullOr(Schema.String) })

const ScopedUserRow = Schema.Struct({
  ...User.fields,
  scope_kind: ScopeRow.fields.kind,
  lineage: ScopeRow.fields.lineage,
  edition: ScopeRow.fields.edition,
  suspended_by: ScopeRow.fields.suspended_by
})

/** The email is unique whatever its case: that violation is the caller's to fix. */
const orDuplicate = <A>(
  effect: Effect.Effect<A, SqlError | ParseResult.ParseError | Cause.NoSuchElementException>,
  user: User
): Effect.Effect<A, DuplicateUser | PersistenceError> =>
  Effect.catchAll(effect, (error): Effect.Effect<never, DuplicateUser | PersistenceError> =>
    isUniqueViolation(error, "users_email_unique")
      ? Effect.fail(DuplicateUser.of(user.email))
      : orPersistenceError(Effect.fail(error)))

// Never `returning *`: the password hash stays in the database.
const COLUMNS = "id, account_id, email, name, role, status, created_at, updated_at"

export const UserRepoLive = Layer.effect(
  UserRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const columns = sql.literal(COLUMNS)

    const insert = SqlSchema.single({
      Request: StoredUserRow,
      Result: User,
      execute: (row) => sql`insert into users ${sql.insert(row)} returning ${columns}`
    })
    const update = SqlSchema.single({
      Request: Schema.Struct({ user: User, password_hash: Schema.optional(Schema.String) }),
      Result: User,
      execute: ({ password_hash, user }) =>
        sql`update users set ${sql.update(
          password_hash === undefined ? user : { ...user, password_hash },
          ["id", "account_id", "created_at"]
        )}
            where id = ${user.id} returning ${columns}`
    })
    // The user, where its account or customer sits, and the partner's edition, in one round trip.
    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: ScopedUserRow,
      execute: (id) =>
        sql`select u.id, u.account_id, u.email, u.name, u.role, u.status, u.created_at, u.updated_at,
                   s.kind as scope_kind, s.lineage, s.edition, s.suspended_by
              from users u join ${scopes(sql)} s on s.id = u.account_id
             where u.id = ${id}`
    })
    const findByEmail = SqlSchema.findOne({
      Request: Schema.String,
      Result: StoredUserRow,
      execute: (email) => sql`select ${columns}, password_hash from users where lower(email) = lower(${email})`
    })
    const list = (within: string, page: PageRequest) =>
      SqlSchema.findAll({
        Request: Schema.Void,
        Result: User,
        execute: () =>
          sql`select ${sql.literal(COLUMNS.split(", ").map((c) => `u.${c}`).join(", "))} from users u
               where u.account_id in (
                 select id from accounts where lineage @> array[${within}]::text[]
                 union all
                 select id from customers where lineage @> array[${within}]::text[])
               ${pageClause(sql, page, "u.id")}`
      })(undefined).pipe(Effect.map((rows) => toPage(rows, page)))

    return UserRepo.of({
      insert: ({ password_hash, user }) => orDuplicate(insert({ ...user, password_hash }), user),
      update: (user, passwordHash) => orDuplicate(update({ user, password_hash: passwordHash }), user),
      delete: (id) => orPersistenceError(sql`delete from users where id = ${id}`).pipe(Effect.asVoid),
      findById: (id) =>
        orPersistenceError(findById(id)).pipe(Effect.map(Option.map(({ edition, lineage, scope_kind, suspended_by, ...user }) => ({
          user: new User(user),
          scope: { id: user.account_id, kind: scope_kind, lineage, edition, suspended_by }
        })))),
      findByEmail: (email) =>
        orPersistenceError(findByEmail(email)).pipe(Effect.map(Option.map(({ password_hash, ...user }) => ({
          user: new User(user),
          password_hash
        })))),
      list: (within, page) => orPersistenceError(list(within, page))
    })
  })
)
