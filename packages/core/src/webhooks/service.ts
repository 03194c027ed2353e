import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { canReach, reachableBy, requireWrite } from "../identity/policy.js"
import { DEFAULT_TIMEOUT_MS, SecretRotation } from "../provisioning/model.js"
import { SigningSecrets } from "../provisioning/ports.js"
import {
  rotateKeys,
  rotationOf,
  secretPrefix,
  settleKeys,
  singleKey
} from "../provisioning/secrets.js"
import { isPrivateHost } from "../provisioning/urls.js"
import { NotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import { SecretRotationOverlap } from "../provisioning/config.js"
import { type CreateWebhook, type StoredWebhook, type UpdateWebhook, Webhook, type WebhookId } from "./model.js"
import { namesKnownEvents, nearestKnownPattern } from "./patterns.js"
import { WebhookRepo } from "./ports.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"
import * as Schema from "effect/Schema"

/** A webhook as answers show it; `secret` only when this very request generated it. */

/** A new webhook is the caller's (or its X-Tenant-ID target's): its body names no other owner. */
const OWNER_FIELD = {
  account_id: "is the caller's account: to make a webhook for an account below it, send X-Tenant-ID with that account's id"
} as const

/** A webhook's fields a PUT does not change, each with why (shared/read-only.ts). */
const READ_ONLY_WEBHOOK_FIELDS = {
  account_id: "cannot be changed: a webhook stays with its account; create one for the other account (X-Tenant-ID)",
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const
export const toWebhook = (stored: StoredWebhook, now: DateTime.Utc, generated?: string) => {
  const rotation = rotationOf(stored.keys, now)
  return new Webhook({
    id: stored.id,
    account_id: stored.account_id,
    url: stored.url,
    events: stored.events,
    description: stored.description,
    enabled: stored.enabled,
    timeout_ms: stored.timeout_ms,
    secret_prefix: secretPrefix(stored.keys.current),
    secret_rotation: rotation === null ? null : new SecretRotation(rotation),
    ...(generated === undefined ? {} : { secret: generated }),
    created_at: stored.created_at,
    updated_at: stored.updated_at
  })
}

/**
 * Only the platform's own webhooks may point at this machine or a private network: anyone else
 * could otherwise make the server call services that are not meant to be reachable from outside.
 */
const checkOwnerUrl = (principal: Principal, url: string) =>
  principal.account_kind !== "platform" && isPrivateHost(url)
    ? Effect.fail(ValidationError.of(
      "url",
      "must not point at this machine or a private network address: give the receiver's public https:// URL"
    ))
    : Effect.void

/**
 * Each pattern once, and each naming a type Provisio writes (a typo would be taken and never
 * fire). `kept`: the webhook's stored patterns, taken again as they are, so a webhook stored
 * before this check (or before a type was retired) can still be read and sent back whole.
 */
const checkPatterns = (events: ReadonlyArray<string>, kept: ReadonlyArray<string> = []) => {
  const repeated = events.findIndex((pattern, i) => events.indexOf(pattern) < i)
  if (repeated >= 0) {
    return Effect.fail(ValidationError.of(`events[${repeated}]`, `repeats an earlier pattern ("${events[repeated]}")`))
  }
  const unknown = events.findIndex((pattern) => !kept.includes(pattern) && !namesKnownEvents(pattern))
  if (unknown < 0) return Effect.void
  const pattern = events[unknown]!
  const nearest = nearestKnownPattern(pattern)
  return Effect.fail(ValidationError.of(
    `events[${unknown}]`,
    `"${pattern}" is not an event Provisio sends${nearest === undefined ? "" : ` (did you mean "${nearest}"?)`}: ` +
      "give a type such as \"invoice.finalized\", a prefix such as \"invoice.*\", or \"*\" (the event types are listed in docs/push.md)"
  ))
}

export const make = Effect.gen(function* () {
  const webhooks = yield* WebhookRepo
  const secrets = yield* SigningSecrets
  const transactor = yield* Transactor
  const overlap = yield* SecretRotationOverlap

  /** Out of the caller's scope is "not found", like a webhook that does not exist. */
  const reachable = (principal: Principal, id: string) => webhooks.findById(id).pipe(reachableBy(principal, "webhook", id))

  const listWebhooks = Effect.fn("Webhooks.listWebhooks")(function* (principal: Principal, page: PageRequest) {
    const found = yield* webhooks.list(principal.account_id, page)
    const at = yield* now
    return { ...found, items: found.items.map((stored) => toWebhook(stored, at)) }
  })

  /** Owned by the caller's account (the `X-Tenant-ID` target's, when narrowed). */
  const createWebhook = Effect.fn("Webhooks.createWebhook")(function* (principal: Principal, input: CreateWebhook) {
    yield* requireWrite(principal)
    // Another account's id would otherwise make a webhook of the caller's whole scope, sending its events to that URL.
    const owner = changedReadOnlyField(input, OWNER_FIELD, () => ({ account_id: principal.account_id }))
    if (owner !== undefined) return yield* owner
    yield* checkOwnerUrl(principal, input.url)
    yield* checkPatterns(input.events)
    const generated = input.secret === undefined ? yield* secrets.generate : undefined
    const at = yield* now
    const stored = yield* webhooks.insert({
      id: (yield* makeId("whk")) as WebhookId,
      account_id: principal.account_id,
      lineage: principal.lineage,
      url: input.url,
      events: input.events,
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      timeout_ms: input.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      keys: singleKey(input.secret ?? generated!),
      created_at: at,
      updated_at: at
    })
    return toWebhook(stored, at, generated)
  })

  const getWebhook = Effect.fn("Webhooks.getWebhook")(function* (principal: Principal, id: string) {
    return toWebhook(yield* reachable(principal, id), yield* now)
  })

  const updateWebhook = Effect.fn("Webhooks.updateWebhook")(function* (
    principal: Principal,
    id: string,
    input: UpdateWebhook
  ) {
    yield* requireWrite(principal)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const locked = yield* webhooks.lock(id)
      if (Option.isNone(locked) || !canReach(principal, locked.value.lineage)) return yield* NotFound.of("webhook", id)
      const current = locked.value
      if (input.events !== undefined) yield* checkPatterns(input.events, current.events)
      const at = yield* now
      const readOnly = changedReadOnlyField(input, READ_ONLY_WEBHOOK_FIELDS, () => Schema.encodeSync(Webhook)(toWebhook(current, at)) as unknown as Record<string, unknown>)
      if (readOnly !== undefined) return yield* readOnly
      if (input.url !== undefined) yield* checkOwnerUrl(principal, input.url)
      let keys = settleKeys(current.keys, at)
      let generated: string | undefined
      if (input.rotate_secret === true) {
        if (input.secret === undefined) generated = yield* secrets.generate
        keys = rotateKeys(keys, input.secret ?? generated!, at, overlap)
      } else if (input.secret !== undefined && input.secret !== keys.current) {
        keys = singleKey(input.secret)
      }
      const stored = yield* webhooks.update({
        ...current,
        url: input.url ?? current.url,
        events: input.events ?? current.events,
        description: input.description === undefined ? current.description : input.description,
        enabled: input.enabled ?? current.enabled,
        timeout_ms: input.timeout_ms ?? current.timeout_ms,
        keys,
        updated_at: at
      })
      return toWebhook(stored, at, generated)
    }))
  })

  const deleteWebhook = Effect.fn("Webhooks.deleteWebhook")(function* (principal: Principal, id: string) {
    yield* requireWrite(principal)
    yield* reachable(principal, id)
    if (!(yield* webhooks.delete(id))) return yield* NotFound.of("webhook", id)
  })

  return { listWebhooks, createWebhook, getWebhook, updateWebhook, deleteWebhook } as const
})

export class Webhooks extends Context.Tag("@provisio/core/Webhooks")<Webhooks, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Webhooks, make)
}
