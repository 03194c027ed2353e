import * as Schema from "effect/Schema"

/** `external_id` is already taken by another customer of the same partner. */
export class DuplicateCustomer extends Schema.TaggedError<DuplicateCustomer>()("DuplicateCustomer", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {
  static of(externalId: string) {
    return new DuplicateCustomer({
      message: `a customer with external_id "${externalId}" already exists for this partner`,
      field: "external_id"
    })
  }
}
