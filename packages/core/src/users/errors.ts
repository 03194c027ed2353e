import * as Schema from "effect/Schema"

/** Emails are unique across all users, whatever their case. */
export class DuplicateUser extends Schema.TaggedError<DuplicateUser>()("DuplicateUser", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {
  static of(email: string) {
    return new DuplicateUser({ field: "email", message: `a user with the email ${email} already exists` })
  }
}
