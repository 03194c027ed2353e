import * as Schema from "effect/Schema"

/**
 * What a malformed path parameter fails with. A value that has not the shape of its kind (an id's
 * prefix and alphabet, a country code, a phone number) names nothing, so the error mapping
 * answers it `404 not_found`, like an id that exists nowhere, rather than `422`.
 */
const MALFORMED = "names nothing: it has not the shape of this parameter"

/**
 * A path parameter checked for its shape by `schema` (`PathParam(CustomerId)`) before any use
 * case runs, so a hostile value (`%00`, a megabyte) never reaches a query. The document shows
 * the shape (the id's pattern) to clients.
 */
export const PathParam = <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  schema.annotations({ message: () => ({ message: MALFORMED, override: true }) })

/** Whether a decode failure's message is a malformed path parameter's. */
export const isMalformedPathParam = (message: string) => message === MALFORMED

/** `/countries/{countryCode}`: two letters, either case (the catalog reads `nl` as `NL`). */
export const CountryCodeParam = PathParam(
  Schema.String.pipe(Schema.pattern(/^[A-Za-z]{2}$/)).annotations({ identifier: "CountryCodeParam" })
)
