import * as fc from "effect/FastCheck"
import { describe, expect, it } from "vitest"
import { EVENT_TYPES } from "../../src/events/model"
import { isEventPattern, matchesAny, matchesEventType, namesKnownEvents, nearestKnownPattern } from "../../src/webhooks/patterns"

describe("event patterns", () => {
  it("matches exact types, prefixes ending in .*, and * for everything", () => {
    const cases: ReadonlyArray<[string, string, boolean]> = [
      ["*", "subscription.created", true],
      ["*", "ticket.comment.added", true],
      ["subscription.*", "subscription.created", true],
      ["subscription.*", "subscription.quantity.changed", true],
      ["subscription.*", "subscription", false],
      ["subscription.*", "subscriptions.created", false],
      ["subscription.*", "order.completed", false],
      ["quantity_request.*", "quantity_request.completed", true],
      ["order.completed", "order.completed", true],
      ["order.completed", "order.completed.late", false],
      ["order.completed", "order.failed", false],
      ["order", "order.completed", false]
    ]
    for (const [pattern, type, expected] of cases) expect(matchesEventType(pattern, type), `${pattern} ~ ${type}`).toBe(expected)
    expect(matchesAny(["order.completed", "ticket.*"], "ticket.created")).toBe(true)
    expect(matchesAny(["order.completed", "ticket.*"], "order.failed")).toBe(false)
  })

  it("knows a well-formed pattern; a malformed one matches nothing", () => {
    for (const ok of ["*", "order", "order.completed", "subscription.*", "quantity_request.*", "a1.b_2.c"]) {
      expect(isEventPattern(ok), ok).toBe(true)
    }
    for (const bad of ["", "**", "sub*", "*.created", "subscription.", ".created", "Order.Completed", "order..x", "order.*.x", "order.**", "1order", "order completed", "a".repeat(101)]) {
      expect(isEventPattern(bad), bad).toBe(false)
      expect(matchesEventType(bad, "order.completed"), bad).toBe(false)
    }
  })

  const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/)
  const type = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("."))

  it("every type matches itself and *, and the prefix pattern of each of its parents", () => {
    fc.assert(fc.property(type, (t) => {
      expect(matchesEventType(t, t)).toBe(true)
      expect(matchesEventType("*", t)).toBe(true)
      const segments = t.split(".")
      for (let i = 1; i < segments.length; i++) expect(matchesEventType(`${segments.slice(0, i).join(".")}.*`, t)).toBe(true)
      expect(matchesEventType(`${t}.*`, t)).toBe(false)
    }))
  })

  it("an exact pattern matches only its own type", () => {
    fc.assert(fc.property(type, type, (a, b) => {
      expect(matchesEventType(a, b)).toBe(a === b)
    }))
  })

  it("the catalog: every type written is a well-formed pattern, once; a typo is near its type", () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length)
    for (const t of EVENT_TYPES) {
      expect(isEventPattern(t), t).toBe(true)
      expect(namesKnownEvents(t)).toBe(true)
      expect(namesKnownEvents(`${t.slice(0, t.indexOf("."))}.*`)).toBe(true)
    }
    expect(namesKnownEvents("*")).toBe(true)
    expect(namesKnownEvents("invoice.finalised")).toBe(false)
    expect(nearestKnownPattern("invoice.finalised")).toBe("invoice.finalized")
    expect(nearestKnownPattern("subscriptions.*")).toBe("subscription.*")
    expect(nearestKnownPattern("warehouse.restocked")).toBeUndefined()
  })
})
