import { describe, expect, it } from "@effect/vitest"
import { ServicesLive } from "@provisio/adapters/services"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { call, channel, expectData, serverOver, sharedDatabase, withSettings } from "./harness"
import {
  addItem,
  checkout,
  createCustomer,
  draftOrder,
  events,
  eventsOf,
  exampleCatalog,
  getSubscription,
  OrderingServer,
  runDue,
  SEAT,
  setNow,
  subscribe,
  V1
} from "./ordering-fixtures"

const at = (isoDay: string) => `${isoDay}.000Z`

describe("scheduler", () => {
  it.layer(OrderingServer)("time travel with TestClock", (it) => {
    it.effect("14 months of renewals on the right days: month ends clamped, a leap year", () =>
      Effect.gen(function* () {
        yield* setNow("2024-01-31T10:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const seat = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        expect(seat.current_period_end).toBe(at("2024-02-29T10:00:00"))

        const expected = [
          "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31",
          "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31"
        ]
        let current = seat
        for (const day of expected) {
          // Just before the end nothing happens; at the end it renews.
          const end = current.current_period_end as string
          yield* setNow(new Date(Date.parse(end) - 1000).toISOString())
          yield* runDue
          expect((yield* getSubscription(seat.id)).current_period_end).toBe(end)
          yield* setNow(end)
          yield* runDue
          current = yield* getSubscription(seat.id)
          expect(current.current_period_start).toBe(at(`${day}T10:00:00`))
          expect(current.status).toBe("active")
        }
        expect(current.current_period_end).toBe(at("2025-04-30T10:00:00"))
        const renewals = (yield* eventsOf(seat.id)).filter((e) => e.type === "subscription.renewed")
        expect(renewals).toHaveLength(14)
        expect(renewals.map((e) => e.data.period.end.slice(0, 10))).toEqual(expected)
        expect(renewals.map((e) => e.data.subscription.current_period_start.slice(0, 10))).toEqual(expected)
      }))

    it.effect("a yearly plan started on Feb 29 renews Feb 28, and Feb 29 again in a leap year", () =>
      Effect.gen(function* () {
        yield* setNow("2024-02-29T12:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const annual = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Annual"], characteristics: SEAT })
        // The scheduler was not running for four years: it catches up, one renewal (and event) per period.
        yield* setNow("2028-03-01T00:00:00Z")
        yield* runDue
        const renewals = (yield* eventsOf(annual.id)).filter((e) => e.type === "subscription.renewed")
        expect(renewals.map((e) => e.data.subscription.current_period_start)).toEqual([
          at("2025-02-28T12:00:00"),
          at("2026-02-28T12:00:00"),
          at("2027-02-28T12:00:00"),
          at("2028-02-29T12:00:00")
        ])
        expect((yield* getSubscription(annual.id)).current_period_end).toBe(at("2029-02-28T12:00:00"))
      }))

    it.effect("a customer in America/New_York keeps its local time across both daylight-saving changes", () =>
      Effect.gen(function* () {
        // 01:30 EST on Jan 15, and 02:30 EST on Feb 8 (a time that does not exist on Mar 8).
        yield* setNow("2026-01-15T06:30:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id, { timezone: "America/New_York" })
        const early = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        yield* setNow("2026-02-08T07:30:00Z")
        const gap = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })

        yield* setNow("2027-03-20T00:00:00Z")
        yield* runDue
        const starts = (id: string) =>
          Effect.map(eventsOf(id), (all) =>
            all.filter((e) => e.type === "subscription.renewed").map((e) => e.data.subscription.current_period_start))
        expect(yield* starts(early.id)).toEqual([
          at("2026-02-15T06:30:00"),
          at("2026-03-15T05:30:00"), // EDT from Mar 8
          at("2026-04-15T05:30:00"),
          at("2026-05-15T05:30:00"),
          at("2026-06-15T05:30:00"),
          at("2026-07-15T05:30:00"),
          at("2026-08-15T05:30:00"),
          at("2026-09-15T05:30:00"),
          at("2026-10-15T05:30:00"),
          at("2026-11-15T06:30:00"), // EST from Nov 1
          at("2026-12-15T06:30:00"),
          at("2027-01-15T06:30:00"),
          at("2027-02-15T06:30:00"),
          at("2027-03-15T05:30:00") // EDT from Mar 14, 2027
        ])
        const gapStarts = yield* starts(gap.id)
        // 02:30 on Mar 8 does not exist: 03:30 EDT (07:30Z); then 02:30 EDT again (06:30Z).
        expect(gapStarts.slice(0, 3)).toEqual([at("2026-03-08T07:30:00"), at("2026-04-08T06:30:00"), at("2026-05-08T06:30:00")])
        expect(gapStarts).toHaveLength(13)
      }))

    it.effect("with auto-renew off a subscription expires at the end of its term", () =>
      Effect.gen(function* () {
        yield* setNow("2027-05-01T09:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const monthly = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
        const committed = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat 12-Month Commitment"], characteristics: SEAT })
        for (const id of [monthly.id, committed.id]) {
          expectData(yield* call("PUT", `${V1}/subscriptions/${id}`, { body: { auto_renew: false } }))
        }

        yield* setNow("2027-06-01T09:00:00Z")
        yield* runDue
        expect(yield* getSubscription(monthly.id)).toMatchObject({
          status: "expired",
          expired_at: at("2027-06-01T09:00:00"),
          current_period_end: at("2027-06-01T09:00:00")
        })
        // A committed plan runs to the end of its commitment, one installment period at a time.
        expect(yield* getSubscription(committed.id)).toMatchObject({
          status: "active",
          current_period_start: at("2027-06-01T09:00:00")
        })
        yield* setNow("2028-04-30T09:00:00Z")
        yield* runDue
        expect((yield* getSubscription(committed.id)).status).toBe("active")
        yield* setNow("2028-05-01T09:00:00Z")
        yield* runDue
        expect(yield* getSubscription(committed.id)).toMatchObject({ status: "expired", expired_at: at("2028-05-01T09:00:00") })
        const types = (yield* eventsOf(committed.id)).map((e) => e.type)
        expect(types.filter((t) => t === "subscription.renewed")).toHaveLength(11)
        expect(types.at(-1)).toBe("subscription.expired")

        // Nothing is due after the end.
        yield* setNow("2029-01-01T00:00:00Z")
        yield* runDue
        expect(yield* eventsOf(monthly.id)).toHaveLength(3)
        expect((yield* eventsOf(committed.id)).map((e) => e.type)).toEqual(types)
      }))
  })

  it.effect("two schedulers at once over one database: every due renewal happens exactly once", () =>
    Effect.gen(function* () {
      const shared = yield* sharedDatabase
      const server = yield* Layer.build(
        withSettings({ PROVISIO_RATE_LIMIT_ADMIN: "off" })(serverOver(shared))
      )
      // A second process: its own services (and repositories) over the same database.
      const other = yield* Layer.build(ServicesLive.pipe(Layer.provide(shared)))
      const first = Context.get(server, Subscriptions)
      const second = Context.get(other, Subscriptions)

      const SUBSCRIPTIONS = 60
      const ids = yield* Effect.gen(function* () {
        yield* setNow("2026-01-20T10:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const ids: Array<string> = []
        for (const half of [0, 1]) {
          const draft = yield* draftOrder(customer.id)
          for (let i = 0; i < SUBSCRIPTIONS / 2; i++) {
            expectData(yield* addItem(draft.id, {
              plan_id: catalog.plans["UCaaS Seat Monthly"],
              quantity: 1 + half,
              characteristics: SEAT
            }), 201)
          }
          const done = expectData(yield* checkout(draft.id))
          expect(done.status).toBe("completed")
          ids.push(...done.items.map((item: any) => item.subscription_id))
        }
        return ids
      }).pipe(Effect.provide(server))
      expect(new Set(ids).size).toBe(SUBSCRIPTIONS)

      // Three periods are due for each: both schedulers start at once, several batches each.
      yield* setNow("2026-04-21T00:00:00Z")
      const [a, b] = yield* Effect.all([first.runDue(), second.runDue()], { concurrency: 2 })
      expect(a.renewed + b.renewed).toBe(SUBSCRIPTIONS * 3)

      const renewals = yield* events({ type: "subscription.renewed" }).pipe(Effect.provide(server))
      expect(renewals).toHaveLength(SUBSCRIPTIONS * 3)
      const perSubscription = new Map<string, Array<string>>()
      for (const event of renewals) {
        const list = perSubscription.get(event.data.subscription.id) ?? []
        list.push(event.data.period.end)
        perSubscription.set(event.data.subscription.id, list)
      }
      expect([...perSubscription.keys()].sort()).toEqual([...ids].sort())
      for (const ends of perSubscription.values()) {
        expect(ends.sort()).toEqual([at("2026-02-20T10:00:00"), at("2026-03-20T10:00:00"), at("2026-04-20T10:00:00")])
      }
      const after = yield* Effect.forEach(ids, (id) => getSubscription(id)).pipe(Effect.provide(server))
      expect(after.every((s) => s.current_period_start === at("2026-04-20T10:00:00"))).toBe(true)

      // Run again, both at once: nothing left to do.
      const [c, d] = yield* Effect.all([first.runDue(), second.runDue()], { concurrency: 2 })
      expect(c.renewed + d.renewed + c.expired + d.expired + c.cancelled + d.cancelled).toBe(0)
    }).pipe(Effect.scoped), { timeout: 180_000 })
})
