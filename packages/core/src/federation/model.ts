import * as Schema from "effect/Schema"

/** `POST /auth/federated`: an OpenID Connect ID token to exchange, and the provider that issued it. */
export class FederatedSignIn extends Schema.Class<FederatedSignIn>("FederatedSignIn")({
  /** The provider's id, as configured in an account's settings, e.g. "acme-entra". */
  provider: Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" }), Schema.maxLength(200)),
  id_token: Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(16_384, { message: () => "is longer than any ID token this API accepts" })
  )
}) {}

/** What a verified ID token says about its holder. */
export class VerifiedClaims extends Schema.Class<VerifiedClaims>("VerifiedClaims")({
  /** `sub`: the holder's id at the issuer, never reassigned. */
  subject: Schema.String,
  email: Schema.optional(Schema.String),
  /** Whether the issuer vouches that `email` belongs to the holder. */
  email_verified: Schema.optional(Schema.Boolean)
}) {}

/** A user's identity at a provider, remembered once a token first matched the user. */
export class FederatedIdentity extends Schema.Class<FederatedIdentity>("FederatedIdentity")({
  provider_id: Schema.String,
  subject: Schema.String,
  /** The provider's issuer and account when linked: the link counts only while both are unchanged. */
  issuer: Schema.String,
  account_id: Schema.String,
  user_id: Schema.String
}) {}
