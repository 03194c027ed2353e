import * as Schema from "effect/Schema"

/**
 * Text PostgreSQL can store and every client can read back: no NUL character (a `text` or
 * `jsonb` value cannot hold one) and no lone UTF-16 surrogate (it has no UTF-8 form).
 */
export const isStorableText = (value: string): boolean => value.indexOf("\u0000") === -1 && value.isWellFormed()

export const UNSTORABLE_TEXT_MESSAGE = "must not contain a NUL character or a lone UTF-16 surrogate"

/** Any string that `isStorableText` accepts. */
export const StorableString = Schema.String.pipe(
  Schema.filter(isStorableText, { message: () => UNSTORABLE_TEXT_MESSAGE })
)

/** Trimmed text that may not be empty, at most `max` characters: every name, label and note. */
export const Text = (max: number) =>
  StorableString.pipe(
    Schema.compose(Schema.Trim),
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(max)
  )

/** A display name: what accounts, customers, users and catalog items are called. */
export const Name = Text(200)

/** An email address, trimmed; the shape only (deliverability is not ours to judge). */
export const Email = Schema.Trim.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "must be an email address, e.g. \"ops@example.com\"" })
)

/** How much of a value an error message may quote: an answer never carries a whole input back. */
export const EXCERPT_LENGTH = 100

/** At most `EXCERPT_LENGTH` characters of `value`, marked with an ellipsis when cut. */
export const excerpt = (value: string, max: number = EXCERPT_LENGTH): string =>
  value.length <= max ? value : `${value.slice(0, max)}…`
