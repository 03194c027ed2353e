import * as Duration from "effect/Duration"

/**
 * How long a process answers an API key's principal from memory before reading it again: a key
 * deleted, or an account suspended (or moved, or given another edition) through another process,
 * is taken at its word at most this long after the change committed. The process that made the
 * change forgets what it holds at once. docs/security.md.
 */
export const PRINCIPAL_CACHE_BOUND = Duration.seconds(1)

/** Entries kept at most; past it the cache starts again empty (many keys in one second). */
const CAPACITY = 10_000

/**
 * What a process remembers of authenticated keys, by secret hash, each for `bound` after it was
 * read (by the time the caller passes: `Clock`'s). Only keys that were found: an unknown secret
 * is read every time, so a key made anywhere works at once.
 */
export const principalCache = <A>(bound: Duration.DurationInput = PRINCIPAL_CACHE_BOUND) => {
  const boundMillis = Duration.toMillis(bound)
  const entries = new Map<string, { readonly value: A; readonly until: number }>()
  let generation = 0
  return {
    /** Changes with every `clear`: pass what it was when the read began to `set`. */
    generation: (): number => generation,
    get: (hash: string, atMillis: number): A | undefined => {
      const entry = entries.get(hash)
      if (entry === undefined) return undefined
      // Read before `until`, and not after the clock stepped back past when it was read.
      if (atMillis < entry.until && atMillis >= entry.until - boundMillis) return entry.value
      entries.delete(hash)
      return undefined
    },
    /** Remembers a read that began at `readGeneration`, unless the cache was cleared since. */
    set: (hash: string, value: A, atMillis: number, readGeneration: number): void => {
      if (readGeneration !== generation) return
      if (entries.size >= CAPACITY) entries.clear()
      entries.set(hash, { value, until: atMillis + boundMillis })
    },
    /** Forgets every entry: this process changed a key or an account. */
    clear: (): void => {
      generation++
      entries.clear()
    }
  }
}

export type PrincipalCache<A> = ReturnType<typeof principalCache<A>>
