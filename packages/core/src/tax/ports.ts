import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * Whether a tax id is registered, asked of a live registry (VIES for EU VAT numbers, HMRC, ...)
 * once its format passed (tax-ids.ts). The shipped verifier checks nothing more than the format;
 * a host wires a registry's adapter in its place. A registry that cannot be reached should answer
 * `valid: true` with a note rather than refuse customers while it is down.
 */
export class TaxIdVerifier extends Context.Tag("@provisio/core/TaxIdVerifier")<TaxIdVerifier, {
  readonly verify: (taxId: string, country: string) => Effect.Effect<{ readonly valid: boolean; readonly reason?: string }>
}>() {}

/** The default: the format was checked already, and nothing else is. */
export const formatOnlyTaxIdVerifier = TaxIdVerifier.of({ verify: () => Effect.succeed({ valid: true }) })
