import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Schema from "effect/Schema"

/**
 * Signing secrets of push targets and webhooks (docs/push.md): `whsec_<base64>`, the form the
 * Standard Webhooks libraries take. A secret signs every call as HMAC-SHA256; during a rotation
 * the previous secret signs too, until its overlap ends, so a provider can switch keys without
 * refusing a single call.
 */

export const SECRET_PREFIX = "whsec_"

/** Bytes of key material: at least the 24 of Svix/Standard Webhooks secrets, at most 64 (an HMAC-SHA256 block). */
export const MIN_SECRET_BYTES = 24
export const MAX_SECRET_BYTES = 64

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** The key bytes of a `whsec_<base64>` secret, or why it is not one. */
export const secretKeyBytes = (secret: string): Either.Either<Uint8Array, string> => {
  const message =
    `must be a secret of the form "whsec_<base64>" with ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes of key ` +
    "(standard base64 with padding), or be left out to have one generated"
  if (!secret.startsWith(SECRET_PREFIX)) return Either.left(message)
  const encoded = secret.slice(SECRET_PREFIX.length)
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return Either.left(message)
  return Either.match(Encoding.decodeBase64(encoded), {
    onLeft: () => Either.left(message),
    onRight: (bytes) =>
      bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES ? Either.left(message) : Either.right(bytes)
  })
}

/** A signing secret given by the caller. */
export const SigningSecret = Schema.String.pipe(
  Schema.filter((secret) => Either.match(secretKeyBytes(secret), { onLeft: (message) => message, onRight: () => true }))
).annotations({ identifier: "SigningSecret", jsonSchema: { type: "string", pattern: "^whsec_[A-Za-z0-9+/]+={0,2}$" } })

/** What answers show of a secret: enough to tell two apart, too little to sign with. */
export const secretPrefix = (secret: string): string => secret.slice(0, SECRET_PREFIX.length + 6)

/**
 * The secrets of one target. `previous` (with the instant its overlap ends) is set while a
 * rotation is in progress; past `previous_expires_at` it signs no more and is dropped at the next
 * change.
 */
export interface SigningKeys {
  readonly current: string
  readonly previous: string | null
  readonly previous_expires_at: DateTime.Utc | null
}

/** Whether the previous secret still signs at `now`. */
const previousActive = (keys: SigningKeys, now: DateTime.Utc): boolean =>
  keys.previous !== null && keys.previous_expires_at !== null && DateTime.lessThan(now, keys.previous_expires_at)

/** The secrets that sign a call made at `now`: the current one first, then the previous one during its overlap. */
export const activeSecrets = (keys: SigningKeys, now: DateTime.Utc): ReadonlyArray<string> =>
  previousActive(keys, now) ? [keys.current, keys.previous!] : [keys.current]

/** Keys with one secret and no rotation. */
export const singleKey = (secret: string): SigningKeys => ({ current: secret, previous: null, previous_expires_at: null })

/**
 * A rotation to `next`: the current secret keeps signing beside it for `overlap`. Rotating again
 * during an overlap ends the older rotation (the secret before the current one stops signing).
 */
export const rotateKeys = (keys: SigningKeys, next: string, now: DateTime.Utc, overlap: Duration.Duration): SigningKeys =>
  Duration.toMillis(overlap) <= 0
    ? singleKey(next)
    : { current: next, previous: keys.current, previous_expires_at: DateTime.addDuration(now, overlap) }

/** The keys with a rotation whose overlap has ended at `now` dropped. */
export const settleKeys = (keys: SigningKeys, now: DateTime.Utc): SigningKeys =>
  previousActive(keys, now) ? keys : singleKey(keys.current)

/** A rotation in progress at `now`, as answers show it (null when there is none). */
export const rotationOf = (keys: SigningKeys, now: DateTime.Utc) =>
  previousActive(keys, now)
    ? { previous_secret_prefix: secretPrefix(keys.previous!), previous_secret_expires_at: keys.previous_expires_at! }
    : null

