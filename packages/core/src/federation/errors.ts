import * as Schema from "effect/Schema"

export const RejectionReason = Schema.Literal(
  "malformed",
  "expired",
  "not_yet_valid",
  "issuer",
  "audience",
  "claims",
  "signature",
  "unknown_key",
  "algorithm",
  "keys_unavailable"
)
export type RejectionReason = typeof RejectionReason.Type

/**
 * An ID token failed verification. The reason and message are for the server's log: the caller
 * only ever sees a generic `Unauthorized`, so a token cannot be used to probe a provider.
 */
export class IdTokenRejected extends Schema.TaggedError<IdTokenRejected>()("IdTokenRejected", {
  message: Schema.String,
  field: Schema.optional(Schema.String),
  reason: RejectionReason
}) {
  static of(reason: RejectionReason, message: string) {
    return new IdTokenRejected({ reason, message })
  }
}
