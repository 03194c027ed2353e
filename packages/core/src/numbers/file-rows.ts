/** The rows of a numbers import file, and what each batch of them did. */

/** One number of an import file, with the line it came from. */
export interface NumberRow {
  readonly line: number
  readonly number: string
  readonly product_id: string
  readonly country: string
  readonly city: string | null
}

export interface RowOutcome {
  readonly line: number
  readonly number: string
}

export interface RejectedRow extends RowOutcome {
  readonly field: string
  readonly reason: string
}

/** What one batch of an import did. */
export interface ImportBatch {
  readonly added: number
  readonly already_present: ReadonlyArray<RowOutcome>
  readonly rejected: ReadonlyArray<RejectedRow>
}
