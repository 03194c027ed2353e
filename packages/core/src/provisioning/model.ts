import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ProductId } from "../catalog/model.js"
import { Timestamp } from "../shared/time.js"
import { RESOURCE_KINDS, type ResourceKind } from "./calls.js"
import { SigningSecret, type SigningKeys } from "./secrets.js"
import { checkUrl, type UrlRules } from "./urls.js"

/**
 * Push targets (seed 000): per product, the provider's base URL, the endpoints it implements,
 * how long a call may take, and the secret calls are signed with. Written by the platform's
 * admins; the channel's admins read them (without secrets).
 */

export const DEFAULT_TIMEOUT_MS = 10_000
export const MIN_TIMEOUT_MS = 100
export const MAX_TIMEOUT_MS = 60_000

/** The endpoints a product gets when its first PUT names none: subscription calls only. */
export const DEFAULT_ENDPOINTS: ReadonlyArray<ResourceKind> = ["subscriptions"]

/** A URL Provisio calls, checked and normalised on input (urls.ts). */
export const CallUrl = (rules: UrlRules) =>
  Schema.transformOrFail(Schema.String, Schema.String, {
    strict: true,
    decode: (value, _, ast) =>
      Either.match(checkUrl(value, rules), {
        onLeft: (message) => ParseResult.fail(new ParseResult.Type(ast, value, message)),
        onRight: ParseResult.succeed
      }),
    encode: ParseResult.succeed
  }).annotations({ jsonSchema: { type: "string", format: "uri" } })

export const BaseUrl = CallUrl({ query: false }).annotations({ identifier: "BaseUrl" })

const KIND_MESSAGE = `must be one of ${RESOURCE_KINDS.join(", ")}`

/** One of the endpoints; anything else fails with one message naming them all. */
export const ResourceKindSchema = Schema.String.annotations({ message: () => KIND_MESSAGE }).pipe(
  Schema.filter((kind): kind is ResourceKind => (RESOURCE_KINDS as ReadonlyArray<string>).includes(kind), {
    message: () => KIND_MESSAGE
  })
).annotations({ identifier: "ResourceKind", jsonSchema: { type: "string", enum: RESOURCE_KINDS } })

export const TimeoutMs = Schema.Int.pipe(
  Schema.between(MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, {
    message: () => `must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}`
  })
).annotations({ message: () => `must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}` })

/** A secret rotation in progress: the previous secret still signs until `previous_secret_expires_at`. */
export class SecretRotation extends Schema.Class<SecretRotation>("SecretRotation")({
  previous_secret_prefix: Schema.String,
  previous_secret_expires_at: Timestamp
}) {}

export class ProvisioningTarget extends Schema.Class<ProvisioningTarget>("ProvisioningTarget")({
  product_id: ProductId,
  /** Calls go to this URL plus the endpoint path (`/subscriptions`, `/networks/{id}`...). */
  base_url: Schema.String,
  /** The endpoints the provider implements; no calls are made for the others. */
  endpoints: Schema.Array(ResourceKindSchema),
  timeout_ms: Schema.Int,
  /** The first characters of the current secret. */
  secret_prefix: Schema.String,
  secret_rotation: Schema.NullOr(SecretRotation),
  /** The whole secret: only in the answer of the PUT that generated it, never again. */
  secret: Schema.optional(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/**
 * Sets up or changes the product's target. Absent fields keep their value; the first PUT needs
 * `base_url`. Without `secret` the first PUT generates one (shown in its answer only).
 * `rotate_secret: true` replaces the secret (with `secret`, or a generated one) while the old one
 * keeps signing for the rotation overlap; `secret` alone on a later PUT replaces it at once.
 */
export class UpdateProvisioningTarget extends Schema.Class<UpdateProvisioningTarget>("UpdateProvisioningTarget")({
  base_url: Schema.optional(BaseUrl),
  secret: Schema.optional(SigningSecret),
  rotate_secret: Schema.optional(Schema.Boolean),
  endpoints: Schema.optional(
    Schema.Array(ResourceKindSchema).pipe(
      Schema.minItems(1, { message: () => `must list at least one of ${RESOURCE_KINDS.join(", ")}` })
    )
  ),
  timeout_ms: Schema.optional(TimeoutMs)
}) {}

/** A target as stored: with its secrets, which only the delivery engine reads. */
export interface StoredTarget {
  readonly product_id: ProductId
  readonly base_url: string
  readonly endpoints: ReadonlyArray<ResourceKind>
  readonly timeout_ms: number
  readonly keys: SigningKeys
  readonly created_at: DateTime.Utc
  readonly updated_at: DateTime.Utc
}
