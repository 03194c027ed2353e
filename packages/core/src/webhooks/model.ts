import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { CallUrl, SecretRotation, TimeoutMs } from "../provisioning/model.js"
import type { SigningKeys } from "../provisioning/secrets.js"
import { SigningSecret } from "../provisioning/secrets.js"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"
import { readOnlyField } from "../shared/read-only.js"
import { isEventPattern, MAX_PATTERN_LENGTH } from "./patterns.js"

/**
 * Webhooks (seed 003): an account subscribes a URL to event types of its scope. Calls use the
 * delivery engine, body and signature of provisioning pushes (docs/push.md).
 */

export const WebhookId = prefixedId("whk", "WebhookId")
export type WebhookId = typeof WebhookId.Type

export const MAX_PATTERNS = 50

const PATTERN_MESSAGE =
  "must be an event type such as \"order.completed\", a prefix ending in \".*\" such as \"subscription.*\", or \"*\" " +
  "for every event (lower-case letters, digits and \"_\", segments joined by dots)"

export const EventPattern = Schema.String.pipe(
  Schema.filter((pattern) => isEventPattern(pattern), { message: () => PATTERN_MESSAGE })
).annotations({
  identifier: "EventPattern",
  message: () => PATTERN_MESSAGE,
  jsonSchema: { type: "string", maxLength: MAX_PATTERN_LENGTH, examples: ["subscription.*", "order.completed", "*"] }
})

export const EventPatterns = Schema.Array(EventPattern).pipe(
  Schema.minItems(1, { message: () => "must list at least one event type or pattern, e.g. [\"subscription.*\"]" }),
  Schema.maxItems(MAX_PATTERNS, { message: () => `must list at most ${MAX_PATTERNS} patterns` })
)

/** A webhook URL may carry a query (a receiver's routing), unlike a base URL. */
export const WebhookUrl = CallUrl({ query: true }).annotations({ identifier: "WebhookUrl" })

const Description = Schema.Trim.pipe(Schema.maxLength(500))

export class Webhook extends Schema.Class<Webhook>("Webhook")({
  id: WebhookId,
  /** The account (or customer) whose events it receives: its own and those of everything below it. */
  account_id: Schema.String,
  url: Schema.String,
  events: Schema.Array(Schema.String),
  description: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  /** How long one call may wait for its answer, as for a product's target. */
  timeout_ms: Schema.Int,
  secret_prefix: Schema.String,
  secret_rotation: Schema.NullOr(SecretRotation),
  /** The whole secret: only in the answer of the request that generated it, never again. */
  secret: Schema.optional(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreateWebhook extends Schema.Class<CreateWebhook>("CreateWebhook")({
  url: WebhookUrl,
  events: EventPatterns,
  /** Generated (and shown in this answer only) when absent. */
  secret: Schema.optional(SigningSecret),
  description: Schema.optional(Schema.NullOr(Description)),
  /** `true` when absent. */
  enabled: Schema.optional(Schema.Boolean),
  /** `DEFAULT_TIMEOUT_MS` when absent, as for a product's target. */
  timeout_ms: Schema.optional(TimeoutMs),
  /** The caller's account (or X-Tenant-ID's) only: taken as it is, another is 422 (shared/read-only.ts). */
  account_id: readOnlyField
}) {}

/**
 * Absent fields keep their value; `null` clears the description. `rotate_secret: true` replaces
 * the secret (with `secret`, or a generated one) while the old one keeps signing for the rotation
 * overlap; `secret` alone replaces it at once.
 */
export class UpdateWebhook extends Schema.Class<UpdateWebhook>("UpdateWebhook")({
  url: Schema.optional(WebhookUrl),
  events: Schema.optional(EventPatterns),
  secret: Schema.optional(SigningSecret),
  rotate_secret: Schema.optional(Schema.Boolean),
  description: Schema.optional(Schema.NullOr(Description)),
  enabled: Schema.optional(Schema.Boolean),
  timeout_ms: Schema.optional(TimeoutMs),
  /** Read-only (shared/read-only.ts): taken only as they are, so a webhook read and sent back whole is taken. */
  account_id: readOnlyField,
  id: readOnlyField,
  created_at: readOnlyField,
  updated_at: readOnlyField
}) {}

/** A webhook as stored: with its owner's place in the hierarchy and its secrets. */
export interface StoredWebhook {
  readonly id: WebhookId
  readonly account_id: string
  /** The owner's lineage (platform down to the owner): who may see and change the webhook. */
  readonly lineage: ReadonlyArray<string>
  readonly url: string
  readonly events: ReadonlyArray<string>
  readonly description: string | null
  readonly enabled: boolean
  /** What the delivery engine gives each of its calls to answer. */
  readonly timeout_ms: number
  readonly keys: SigningKeys
  readonly created_at: DateTime.Utc
  readonly updated_at: DateTime.Utc
}
