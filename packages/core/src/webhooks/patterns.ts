import { EVENT_TYPES } from "../events/model.js"

/**
 * Which events a webhook receives. A pattern is an event type (`order.completed`), a prefix
 * ending in `.*` (`subscription.*`: every type that starts with `subscription.`, at any depth), or
 * `*` (every event). Types and patterns are lower case: segments of letters, digits and `_`,
 * each starting with a letter, joined by dots.
 */

const SEGMENT = "[a-z][a-z0-9_]*"
const PATTERN = new RegExp(`^(?:\\*|${SEGMENT}(?:\\.${SEGMENT})*(?:\\.\\*)?)$`)

export const MAX_PATTERN_LENGTH = 100

export const isEventPattern = (pattern: string): boolean => pattern.length <= MAX_PATTERN_LENGTH && PATTERN.test(pattern)

/** Whether an event of `type` matches `pattern` (a well-formed one; anything else matches nothing). */
export const matchesEventType = (pattern: string, type: string): boolean => {
  if (!isEventPattern(pattern)) return false
  if (pattern === "*") return true
  if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1))
  return type === pattern
}

/** Whether any of the patterns matches. */
export const matchesAny = (patterns: ReadonlyArray<string>, type: string): boolean =>
  patterns.some((pattern) => matchesEventType(pattern, type))

/** Whether the pattern names at least one type Provisio writes (`EVENT_TYPES`): else it would never fire. */
export const namesKnownEvents = (pattern: string): boolean =>
  EVENT_TYPES.some((type) => matchesEventType(pattern, type))

/** Edits (insert, delete, replace) from `a` to `b`: short strings, so the plain table. */
const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    row = next
  }
  return row[b.length]!
}

/** The known type or prefix pattern nearest a pattern that names none (a typo's fix), if one is near. */
export const nearestKnownPattern = (pattern: string): string | undefined => {
  const candidates = pattern.endsWith(".*")
    ? [...new Set(EVENT_TYPES.map((type) => `${type.slice(0, type.indexOf("."))}.*`))]
    : EVENT_TYPES
  let best: string | undefined
  let bestDistance = 4
  for (const candidate of candidates) {
    const d = distance(pattern, candidate)
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  return best
}
