import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type { AccountScope } from "../identity/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { DuplicateUser } from "./errors.js"
import type { User } from "./model.js"

/** A user with its password hash (null: federated sign-in only), as only the repository holds it. */
export interface StoredUser {
  readonly user: User
  readonly password_hash: string | null
}

/** A user with where its account or customer sits in the hierarchy. */
export interface ScopedUser {
  readonly user: User
  readonly scope: AccountScope
}

export class UserRepo extends Context.Tag("@provisio/core/UserRepo")<UserRepo, {
  /** Fails with `DuplicateUser` when another user has the email, in any case. */
  readonly insert: (stored: StoredUser) => Effect.Effect<User, DuplicateUser | PersistenceError>
  /**
   * Writes every field but `id`, `account_id` and `created_at`, and the password hash when one
   * is given.
   */
  readonly update: (user: User, passwordHash?: string) => Effect.Effect<User, DuplicateUser | PersistenceError>
  readonly delete: (id: User["id"]) => Effect.Effect<void, PersistenceError>
  /** The user and its scope; none when the user or its account is gone. */
  readonly findById: (id: string) => Effect.Effect<Option.Option<ScopedUser>, PersistenceError>
  /** By email, ignoring case. */
  readonly findByEmail: (email: string) => Effect.Effect<Option.Option<StoredUser>, PersistenceError>
  /** Users of accounts or customers whose lineage contains `within`. */
  readonly list: (within: string, page: PageRequest) => Effect.Effect<Page<User>, PersistenceError>
}>() {}

/**
 * One-way, salted and deliberately slow password hashes. The hash is one string carrying its
 * algorithm and parameters, so they can be raised later without breaking stored hashes.
 */
export class PasswordHasher extends Context.Tag("@provisio/core/PasswordHasher")<PasswordHasher, {
  readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string>
  /** Whether the password matches; a malformed hash matches nothing. Takes constant time in the hash. */
  readonly verify: (password: Redacted.Redacted<string>, hash: string) => Effect.Effect<boolean>
}>() {}
