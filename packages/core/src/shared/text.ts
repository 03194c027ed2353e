import { Schema } from "effect"

/** Trimmed text that may not be empty, at most `max` characters: every name, label and note. */
export const Text = (max: number) =>
  Schema.Trim.pipe(Schema.minLength(1, { message: () => "must not be empty" }), Schema.maxLength(max))

/** A display name: what accounts, customers, users and catalog items are called. */
export const Name = Text(200)

/** An email address, trimmed; the shape only (deliverability is not ours to judge). */
export const Email = Schema.Trim.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "must be an email address, e.g. \"ops@example.com\"" })
)
