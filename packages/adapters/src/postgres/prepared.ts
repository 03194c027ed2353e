import pg from "pg"

/**
 * A node-postgres client that runs repeated statements as named (prepared) ones: PostgreSQL parses
 * and plans a named statement once per connection and then only binds and executes it, where an
 * unnamed one is parsed and planned on every execution. Measured on a primary-key SELECT
 * (bench/sql-client.ts, docs/performance.md "Third step"): PostgreSQL's CPU per statement 55 us
 * unnamed, 23 us named (42 us named with `plan_cache_mode = force_custom_plan`: planning is most
 * of it); this process's CPU the same.
 *
 * What is named: a statement with parameters (so already sent with the extended protocol, which
 * holds one command; `@effect/sql-pg` sends BEGIN, COMMIT and parameterless text unnamed and
 * simple, as before), its text at most `MAX_TEXT` characters, once the process has run that text
 * `USES_BEFORE_NAMING` times (one-off texts, such as an `IN` list of a new length, stay unnamed),
 * and at most `MAX_NAMED` texts a process: each named text costs each connection that runs it a
 * parsed statement and a cached plan in its PostgreSQL backend.
 *
 * PostgreSQL plans a prepared statement as it does for any client (`plan_cache_mode = auto`: a
 * custom plan for the first five executions, then the generic plan unless it costs more).
 *
 * A schema change under a running process (another version's migration adding a column to a table
 * read with `select *`) makes PostgreSQL refuse a prepared statement whose result changes ("cached
 * plan must not change result type"). Then every name is forgotten (the next ones are prepared
 * anew), and the statement, which did not run, is run again unnamed when it was outside a
 * transaction; inside one the transaction fails as it would on any error.
 *
 * Off (`PROVISIO_DATABASE_PREPARE=off`) behind a pooler that does not keep a server connection per
 * client connection (PgBouncer in transaction mode before 1.21).
 */
export const MAX_NAMED = 200
export const MAX_TEXT = 4000
export const USES_BEFORE_NAMING = 2
/** Texts counted but not named yet: forgotten all at once when this many (one-offs do not pile up). */
const MAX_COUNTED = 2000

const names = new Map<string, string>()
const uses = new Map<string, number>()
let generation = 0
let named = 0

const nameOf = (text: string): string | undefined => {
  const name = names.get(text)
  if (name !== undefined || named >= MAX_NAMED || text.length > MAX_TEXT) return name
  const seen = (uses.get(text) ?? 0) + 1
  if (seen < USES_BEFORE_NAMING) {
    if (uses.size >= MAX_COUNTED) uses.clear()
    uses.set(text, seen)
    return undefined
  }
  uses.delete(text)
  const fresh = `provisio_${generation}_${named++}`
  names.set(text, fresh)
  return fresh
}

/**
 * Every name forgotten: the statements are prepared again under new names (a new generation, so
 * no name is reused). After a schema change; and in tests, which share a process with others
 * (vitest's isolate: false) that may have used its whole budget of names.
 */
export const forgetNames = () => {
  names.clear()
  uses.clear()
  named = 0
  generation++
}

const isStaleResult = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "0A000" &&
  String((error as { message?: unknown }).message).includes("cached plan must not change result type")

type Callback = (error: Error | null, result?: unknown) => void

export class PreparingClient extends pg.Client {
  /** The transaction status of the last ReadyForQuery: "I" idle, "T" in a transaction, "E" failed one. */
  private transactionStatus = "I"

  constructor(config?: string | pg.ClientConfig) {
    super(config)
    ;(this as unknown as { connection: NodeJS.EventEmitter }).connection.on(
      "readyForQuery",
      // PGlite's connection announces its start without a message.
      (message: { status?: string } | undefined) => (this.transactionStatus = message?.status ?? "I")
    )
  }

  // One signature for pg's overloads: only a text with parameter values and a callback (what
  // @effect/sql-pg sends) is named; everything else passes unchanged.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && Array.isArray(values) && values.length > 0 && typeof callback === "function") {
      const name = nameOf(config)
      if (name !== undefined) {
        const outside = this.transactionStatus === "I"
        return super.query({ name, text: config, values }, (error: Error | null, result: unknown) => {
          if (error !== null && isStaleResult(error)) {
            if (names.get(config) === name) forgetNames()
            if (outside) return void super.query(config, values, callback as Callback)
          }
          ;(callback as Callback)(error, result)
        })
      }
    }
    return super.query(config, values, callback)
  }
}
