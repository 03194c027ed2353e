import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { InvalidState, PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { Account, AccountScope, ApiKey, Authenticated } from "./model.js"

export class AccountRepo extends Context.Tag("@provisio/core/AccountRepo")<AccountRepo, {
  readonly insert: (account: Account) => Effect.Effect<Account, PersistenceError>
  readonly update: (account: Account) => Effect.Effect<Account, PersistenceError>
  /**
   * Removes the account with its keys, users and price lists; `InvalidState` when billing history
   * (runs, invoices, number series) still names it.
   */
  readonly delete: (id: Account["id"]) => Effect.Effect<void, PersistenceError | InvalidState>
  readonly findById: (id: string) => Effect.Effect<Option.Option<Account>, PersistenceError>
  readonly findPlatform: Effect.Effect<Option.Option<Account>, PersistenceError>
  /** Accounts of one kind whose lineage contains `within`; with `search`, those whose name contains it or whose id it is. */
  readonly list: (
    kind: Account["kind"],
    within: string,
    page: PageRequest,
    search?: string
  ) => Effect.Effect<Page<Account>, PersistenceError>
  /** Whether anything (an account or a customer) hangs below the account. */
  readonly hasChildren: (id: Account["id"]) => Effect.Effect<boolean, PersistenceError>
  /** The place of an account or a customer in the hierarchy, whichever the id names. */
  readonly findScope: (id: string) => Effect.Effect<Option.Option<AccountScope>, PersistenceError>
}>() {}

export interface StoredApiKey {
  readonly key: ApiKey
  readonly secret_hash: string
}

export class ApiKeyRepo extends Context.Tag("@provisio/core/ApiKeyRepo")<ApiKeyRepo, {
  readonly insert: (stored: StoredApiKey) => Effect.Effect<ApiKey, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<ApiKey>, PersistenceError>
  /** Keys bound to accounts or customers whose lineage contains `within`. */
  readonly list: (within: string, page: PageRequest) => Effect.Effect<Page<ApiKey>, PersistenceError>
  readonly delete: (id: ApiKey["id"]) => Effect.Effect<void, PersistenceError>
  /**
   * The acting principal for a live key's hash, marking the key used at `at`; answered from memory
   * for up to `PRINCIPAL_CACHE_BOUND` (core/auth/principal-cache.ts) after it was read.
   */
  readonly authenticate: (secretHash: string, at: DateTime.Utc) => Effect.Effect<Option.Option<Authenticated>, PersistenceError>
}>() {}

/** Credentials: secrets from a cryptographic source and their one-way hashes. */
export class Secrets extends Context.Tag("@provisio/core/Secrets")<Secrets, {
  /** A new random secret with the given prefix, e.g. `pvo_3f9...`. */
  readonly generate: (prefix: string) => Effect.Effect<string>
  /** A one-way, deterministic hash for lookup: API key secrets carry enough entropy for SHA-256. */
  readonly hash: (secret: string) => Effect.Effect<string>
}>() {}
