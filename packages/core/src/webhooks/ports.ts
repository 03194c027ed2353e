import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { StoredWebhook } from "./model.js"

export class WebhookRepo extends Context.Tag("@provisio/core/WebhookRepo")<WebhookRepo, {
  readonly insert: (webhook: StoredWebhook) => Effect.Effect<StoredWebhook, PersistenceError>
  /** Writes every field but the id, the owner, its lineage and `created_at`. */
  readonly update: (webhook: StoredWebhook) => Effect.Effect<StoredWebhook, PersistenceError>
  /** Answers whether there was one to delete. */
  readonly delete: (id: string) => Effect.Effect<boolean, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredWebhook>, PersistenceError>
  /** The webhook, held until the transaction ends so changes to it happen one at a time. Run it in a transaction. */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredWebhook>, PersistenceError>
  /** Webhooks whose owner's lineage contains `within`, by id. */
  readonly list: (within: string, page: PageRequest) => Effect.Effect<Page<StoredWebhook>, PersistenceError>
}>() {}
