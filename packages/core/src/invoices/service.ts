import { Context, type Effect } from "effect"
import type { PersistenceError } from "../shared/errors"

/**
 * The invoice life cycle after a billing run has written drafts: finalization (gapless numbers
 * per issuing account, credit lines from the customer's credit notes, the ledger entry, the
 * `invoice.finalized` event), voiding, and the reads. The layer (`layer`, below the Tag) is built
 * from the repositories in ports.ts.
 */
export class Invoices extends Context.Tag("@provisio/core/Invoices")<Invoices, {
  /**
   * Finalizes these drafts, set-based (a fixed number of statements whatever their count, plus
   * one per invoice whose customer has credit left to apply). Drafts flagged `needs_rerate` are
   * re-rated by the caller first (billing/service). Ids that are no longer drafts are skipped.
   * Runs in the caller's transaction when there is one. Answers the ids it finalized.
   */
  readonly finalizeMany: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
}>() {}
