import type { SigningKeys } from "@provisio/core/provisioning/secrets"
import { Timestamp } from "@provisio/core/shared/time"
import * as Schema from "effect/Schema"

/** The columns every table with signing secrets has (provisioning targets, webhooks). */
export const KeyColumns = {
  secret: Schema.String,
  previous_secret: Schema.NullOr(Schema.String),
  previous_secret_expires_at: Schema.NullOr(Timestamp)
}

export const keysOf = (row: {
  readonly secret: string
  readonly previous_secret: string | null
  readonly previous_secret_expires_at: SigningKeys["previous_expires_at"]
}): SigningKeys => ({
  current: row.secret,
  previous: row.previous_secret,
  previous_expires_at: row.previous_secret_expires_at
})
