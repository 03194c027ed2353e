import { type CallTarget, plannedCall, provisioningBody, type ResourceKind } from "@provisio/core/provisioning/calls"
import type { StoredTarget } from "@provisio/core/provisioning/model"
import type { PushRequest } from "@provisio/core/provisioning/push"
import { activeSecrets } from "@provisio/core/provisioning/secrets"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as crypto from "node:crypto"
import { createRequire } from "node:module"
import { now } from "@provisio/core/shared/time"

/**
 * Signs outbound calls the Standard Webhooks way (docs/push.md); the tests verify every kind of
 * call with the `standardwebhooks` package, so what providers check is what we compute.
 */

// The package's own package.json: two levels up from src/push and from dist/push alike (a JSON
// import would put a file outside src into the build).
export const PROVISIO_VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version

export const USER_AGENT = `Provisio/${PROVISIO_VERSION}`

/**
 * `webhook-signature`: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` for each secret,
 * space-separated (several during a rotation's overlap).
 */
export const signatures = (id: string, unixSeconds: number, body: string, secrets: ReadonlyArray<string>): string =>
  secrets.map((secret) =>
    `v1,${crypto.createHmac("sha256", keyOf(secret)).update(`${id}.${unixSeconds}.${body}`).digest("base64")}`
  ).join(" ")

/**
 * The HMAC key of a `whsec_<base64>` secret, decoded once per secret: a worker signs thousands of
 * calls a second with a handful of secrets. The same computation as `standardwebhooks`' `sign`
 * (packages/adapters/test/push-signature.test.ts verifies our calls with that package), on
 * Node's native HMAC rather than its JavaScript one.
 */
const keys = new Map<string, Buffer>()
const keyOf = (secret: string): Buffer => {
  let key = keys.get(secret)
  if (key === undefined) {
    if (keys.size > 10_000) keys.clear()
    key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64")
    keys.set(secret, key)
  }
  return key
}

const SECRET_PREFIX = "whsec_"

export interface SignInput {
  /** The message id: the event's id (providers may de-duplicate on it; a retry sends it again). */
  readonly id: string
  /** The raw JSON body, exactly as it will be sent. */
  readonly body: string
  /** Every secret that signs, the current one first. */
  readonly secrets: ReadonlyArray<string>
}

/** The headers of a signed call; `webhook-timestamp` is the `Clock`'s unix seconds. */
export const signedHeaders = (input: SignInput): Effect.Effect<Record<string, string>> =>
  Effect.map(Clock.currentTimeMillis, (millis) => {
    const timestamp = Math.floor(millis / 1000)
    return {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      "webhook-id": input.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatures(input.id, timestamp, input.body, input.secrets)
    }
  })

/** A signed request to `url`, ready for `PushSender.send`. */
export const signedRequest = (
  call: { readonly method: PushRequest["method"]; readonly url: string; readonly timeout_ms: number } & SignInput
): Effect.Effect<PushRequest> =>
  Effect.map(signedHeaders(call), (headers) => ({
    method: call.method,
    url: call.url,
    headers,
    body: call.body,
    timeout_ms: call.timeout_ms
  }))

export interface ProvisioningEvent {
  readonly event_id: string
  readonly occurred_at: DateTime.Utc
  readonly action: CallTarget["action"]
  readonly kind: ResourceKind
  /** The resource's id, for the URL of UPDATE and DELETE. */
  readonly resource_id: string
  /** The resource as the API shows it. */
  readonly resource: unknown
}

/**
 * The signed provisioning call of an event for a product's target, signed by every secret active
 * now; none when the target does not implement the resource's endpoint.
 */
export const provisioningRequest = (
  target: StoredTarget,
  event: ProvisioningEvent
): Effect.Effect<Option.Option<PushRequest>> =>
  Option.match(plannedCall(target, { action: event.action, kind: event.kind, id: event.resource_id }), {
    onNone: () => Effect.succeedNone,
    onSome: ({ method, url }) =>
      Effect.gen(function* () {
        const at = yield* now
        return Option.some(yield* signedRequest({
          method,
          url,
          timeout_ms: target.timeout_ms,
          id: event.event_id,
          body: provisioningBody(event),
          secrets: activeSecrets(target.keys, at)
        }))
      })
  })
