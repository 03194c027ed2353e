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
