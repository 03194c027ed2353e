import * as Schema from "effect/Schema"

/**
 * Another account already uses the provider id: ids are unique across the platform, since they
 * name the provider when a token is exchanged. The settings service turns it into a
 * `ValidationError` on the provider's `id`, so it never reaches the HTTP layer as such.
 */
export class ProviderIdTaken extends Schema.TaggedError<ProviderIdTaken>()("ProviderIdTaken", {
  message: Schema.String,
  field: Schema.optional(Schema.String),
  provider_id: Schema.String
}) {
  static of(providerId: string) {
    return new ProviderIdTaken({ message: `provider id "${providerId}" is already taken`, provider_id: providerId })
  }
}
