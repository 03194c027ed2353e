import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as fc from "effect/FastCheck"
import {
  type BillingInterval,
  installmentSchedule,
  periodAt,
  periodBounds,
  prorationFraction
} from "../../src/subscriptions/periods"

const utc = (iso: string): DateTime.Utc => DateTime.unsafeMake(iso) as DateTime.Utc
const iso = (dt: DateTime.Utc): string => DateTime.formatIso(dt)
const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** The wall clock of `dt` in `timeZone`, "YYYY-MM-DD HH:mm" plus the offset. */
const local = (dt: DateTime.Utc, timeZone: string): string => {
  const zoned = DateTime.unsafeMakeZoned(dt, { timeZone })
  const p = DateTime.toParts(zoned)
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hours)}:${pad(p.minutes)} ${DateTime.zonedOffsetIso(zoned)}`
}

/** The UTC start of each listed period index. */
const starts = (anchor: DateTime.Utc, timeZone: string, interval: BillingInterval, indices: ReadonlyArray<number>) =>
  indices.map((k) => iso(periodBounds(anchor, timeZone, interval, k).start))

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

describe("monthly periods, month-end clamping (UTC)", () => {
  const anchor = utc("2026-01-31T10:00:00Z")

  it.each([
    // index, start (UTC)
    [0, "2026-01-31T10:00:00.000Z"],
    [1, "2026-02-28T10:00:00.000Z"],
    [2, "2026-03-31T10:00:00.000Z"], // from the anchor (31), not from Feb 28
    [3, "2026-04-30T10:00:00.000Z"],
    [4, "2026-05-31T10:00:00.000Z"],
    [5, "2026-06-30T10:00:00.000Z"],
    [6, "2026-07-31T10:00:00.000Z"],
    [7, "2026-08-31T10:00:00.000Z"],
    [8, "2026-09-30T10:00:00.000Z"],
    [9, "2026-10-31T10:00:00.000Z"],
    [10, "2026-11-30T10:00:00.000Z"],
    [11, "2026-12-31T10:00:00.000Z"],
    [12, "2027-01-31T10:00:00.000Z"],
    [13, "2027-02-28T10:00:00.000Z"]
  ])("period %i starts %s", (k, start) => {
    const bounds = periodBounds(anchor, "UTC", "month", k)
    expect(iso(bounds.start)).toBe(start)
    expect(iso(bounds.end)).toBe(iso(periodBounds(anchor, "UTC", "month", k + 1).start))
  })

  it("clamps to Feb 29 in a leap year: anchored 2027-01-31, period 13 starts 2028-02-29", () => {
    expect(starts(utc("2027-01-31T10:00:00Z"), "UTC", "month", [0, 1, 2, 12, 13, 14])).toEqual([
      "2027-01-31T10:00:00.000Z",
      "2027-02-28T10:00:00.000Z",
      "2027-03-31T10:00:00.000Z",
      "2028-01-31T10:00:00.000Z",
      "2028-02-29T10:00:00.000Z",
      "2028-03-31T10:00:00.000Z"
    ])
  })

  it("keeps seconds and milliseconds of the anchor", () => {
    expect(starts(utc("2026-03-30T23:59:59.999Z"), "UTC", "month", [1, 2])).toEqual([
      "2026-04-30T23:59:59.999Z",
      "2026-05-30T23:59:59.999Z"
    ])
  })
})

describe("yearly periods", () => {
  it("anchored on Feb 29 2028: Feb 28 in common years, Feb 29 again in 2032", () => {
    expect(starts(utc("2028-02-29T12:00:00Z"), "UTC", "year", [0, 1, 2, 3, 4, 5])).toEqual([
      "2028-02-29T12:00:00.000Z",
      "2029-02-28T12:00:00.000Z",
      "2030-02-28T12:00:00.000Z",
      "2031-02-28T12:00:00.000Z",
      "2032-02-29T12:00:00.000Z",
      "2033-02-28T12:00:00.000Z"
    ])
  })

  it("a yearly period is 365 or 366 days", () => {
    const p = periodBounds(utc("2027-03-01T00:00:00Z"), "UTC", "year", 0)
    expect(iso(p.end)).toBe("2028-03-01T00:00:00.000Z")
    expect(prorationFraction(p, p.start, p.end, "UTC")).toEqual({ days: 366, periodDays: 366 })
  })
})

describe("America/New_York: 09:00 local across both daylight-saving changes of 2026", () => {
  const zone = "America/New_York"
  const anchor = utc("2026-01-15T14:00:00Z") // 09:00 EST

  it.each([
    // index, start (UTC), start (local)
    [0, "2026-01-15T14:00:00.000Z", "2026-01-15 09:00 -05:00"],
    [1, "2026-02-15T14:00:00.000Z", "2026-02-15 09:00 -05:00"],
    [2, "2026-03-15T13:00:00.000Z", "2026-03-15 09:00 -04:00"], // EDT from Mar 8
    [3, "2026-04-15T13:00:00.000Z", "2026-04-15 09:00 -04:00"],
    [6, "2026-07-15T13:00:00.000Z", "2026-07-15 09:00 -04:00"],
    [9, "2026-10-15T13:00:00.000Z", "2026-10-15 09:00 -04:00"],
    [10, "2026-11-15T14:00:00.000Z", "2026-11-15 09:00 -05:00"], // EST from Nov 1
    [11, "2026-12-15T14:00:00.000Z", "2026-12-15 09:00 -05:00"],
    [12, "2027-01-15T14:00:00.000Z", "2027-01-15 09:00 -05:00"],
    [14, "2027-03-15T13:00:00.000Z", "2027-03-15 09:00 -04:00"]
  ])("period %i starts %s (%s)", (k, start, wall) => {
    const { start: s } = periodBounds(anchor, zone, "month", k)
    expect(iso(s)).toBe(start)
    expect(local(s, zone)).toBe(wall)
  })

  it("a period spanning spring forward is an hour short, one spanning fall back an hour long", () => {
    const march = periodBounds(anchor, zone, "month", 1) // Feb 15 -> Mar 15
    const october = periodBounds(anchor, zone, "month", 9) // Oct 15 -> Nov 15
    expect(DateTime.toEpochMillis(march.end) - DateTime.toEpochMillis(march.start)).toBe(28 * DAY - HOUR)
    expect(DateTime.toEpochMillis(october.end) - DateTime.toEpochMillis(october.start)).toBe(31 * DAY + HOUR)
  })

  it("a start at 02:30 on Mar 8 2026 (does not exist) resolves forward to 03:30 EDT; the next goes back to 02:30", () => {
    const gapAnchor = utc("2026-02-08T07:30:00Z") // 02:30 EST
    expect([0, 1, 2].map((k) => local(periodBounds(gapAnchor, zone, "month", k).start, zone))).toEqual([
      "2026-02-08 02:30 -05:00",
      "2026-03-08 03:30 -04:00",
      "2026-04-08 02:30 -04:00"
    ])
    expect(starts(gapAnchor, zone, "month", [1, 2])).toEqual(["2026-03-08T07:30:00.000Z", "2026-04-08T06:30:00.000Z"])
  })

  it("a start at 01:30 on Nov 1 2026 (happens twice) resolves to the earlier instant, 01:30 EDT", () => {
    const overlapAnchor = utc("2026-10-01T05:30:00Z") // 01:30 EDT
    expect(starts(overlapAnchor, zone, "month", [1, 2])).toEqual(["2026-11-01T05:30:00.000Z", "2026-12-01T06:30:00.000Z"])
    expect(local(periodBounds(overlapAnchor, zone, "month", 1).start, zone)).toBe("2026-11-01 01:30 -04:00")
  })

  it("period 0 is the anchor itself, even the later 01:30 of fall-back day", () => {
    const later = utc("2026-11-01T06:30:00Z") // 01:30 EST, the second one
    expect(starts(later, zone, "month", [0, 1])).toEqual(["2026-11-01T06:30:00.000Z", "2026-12-01T06:30:00.000Z"])
    // A year on, Nov 1 2027 01:30 is not ambiguous (fall back is on Nov 7).
    expect(starts(later, zone, "year", [1])).toEqual(["2027-11-01T05:30:00.000Z"])
  })
})

describe("Europe/Berlin", () => {
  const zone = "Europe/Berlin"

  it("02:30 on the 29th: clamped in February, moved to 03:30 on Mar 29 2026 (spring forward), CEST then CET", () => {
    const anchor = utc("2026-01-29T01:30:00Z") // 02:30 CET
    expect([0, 1, 2, 3, 9].map((k) => local(periodBounds(anchor, zone, "month", k).start, zone))).toEqual([
      "2026-01-29 02:30 +01:00",
      "2026-02-28 02:30 +01:00",
      "2026-03-29 03:30 +02:00",
      "2026-04-29 02:30 +02:00",
      "2026-10-29 02:30 +01:00"
    ])
    expect(starts(anchor, zone, "month", [2, 3, 9])).toEqual([
      "2026-03-29T01:30:00.000Z",
      "2026-04-29T00:30:00.000Z",
      "2026-10-29T01:30:00.000Z"
    ])
  })

  it("02:30 on Oct 25 2026 (fall back, happens twice) is the earlier one, CEST", () => {
    const anchor = utc("2026-09-25T00:30:00Z") // 02:30 CEST
    expect(starts(anchor, zone, "month", [1, 2])).toEqual(["2026-10-25T00:30:00.000Z", "2026-11-25T01:30:00.000Z"])
  })
})

describe("Asia/Kolkata (+05:30, no daylight saving)", () => {
  const zone = "Asia/Kolkata"
  // 00:15 on Jan 31 in Kolkata is still Jan 30 in UTC: the local date is the anchor.
  const anchor = utc("2026-01-30T18:45:00Z")

  it.each([
    [0, "2026-01-30T18:45:00.000Z", "2026-01-31 00:15 +05:30"],
    [1, "2026-02-27T18:45:00.000Z", "2026-02-28 00:15 +05:30"],
    [2, "2026-03-30T18:45:00.000Z", "2026-03-31 00:15 +05:30"],
    [3, "2026-04-29T18:45:00.000Z", "2026-04-30 00:15 +05:30"],
    [12, "2027-01-30T18:45:00.000Z", "2027-01-31 00:15 +05:30"]
  ])("period %i starts %s (%s)", (k, start, wall) => {
    const { start: s } = periodBounds(anchor, zone, "month", k)
    expect(iso(s)).toBe(start)
    expect(local(s, zone)).toBe(wall)
  })

  it("the same instant anchored in UTC would renew on a different day", () => {
    expect(starts(anchor, "UTC", "month", [1])).toEqual(["2026-02-28T18:45:00.000Z"])
  })
})

describe("periodAt", () => {
  const anchor = utc("2026-01-31T10:00:00Z")

  it.each([
    // at, index, start, end
    ["2025-12-01T00:00:00Z", 0, "2026-01-31T10:00:00.000Z", "2026-02-28T10:00:00.000Z"], // before the anchor
    ["2026-01-31T10:00:00Z", 0, "2026-01-31T10:00:00.000Z", "2026-02-28T10:00:00.000Z"],
    ["2026-02-28T09:59:59.999Z", 0, "2026-01-31T10:00:00.000Z", "2026-02-28T10:00:00.000Z"],
    ["2026-02-28T10:00:00Z", 1, "2026-02-28T10:00:00.000Z", "2026-03-31T10:00:00.000Z"],
    ["2026-03-01T00:00:00Z", 1, "2026-02-28T10:00:00.000Z", "2026-03-31T10:00:00.000Z"],
    ["2026-03-31T09:00:00Z", 1, "2026-02-28T10:00:00.000Z", "2026-03-31T10:00:00.000Z"],
    ["2027-02-01T00:00:00Z", 12, "2027-01-31T10:00:00.000Z", "2027-02-28T10:00:00.000Z"]
  ])("%s is in period %i [%s, %s)", (at, index, start, end) => {
    const p = periodAt(anchor, "UTC", "month", utc(at))
    expect({ index: p.index, start: iso(p.start), end: iso(p.end) }).toEqual({ index, start, end })
  })

  it("uses the local boundary: 13:30 UTC on Mar 15 2026 is before the 09:00 EDT renewal in New York", () => {
    const ny = utc("2026-01-15T14:00:00Z")
    expect(periodAt(ny, "America/New_York", "month", utc("2026-03-15T12:59:59Z")).index).toBe(1)
    expect(periodAt(ny, "America/New_York", "month", utc("2026-03-15T13:00:00Z")).index).toBe(2)
  })

  it("finds yearly periods", () => {
    const p = periodAt(utc("2028-02-29T12:00:00Z"), "UTC", "year", utc("2032-02-29T11:00:00Z"))
    expect({ index: p.index, start: iso(p.start), end: iso(p.end) }).toEqual({
      index: 3,
      start: "2031-02-28T12:00:00.000Z",
      end: "2032-02-29T12:00:00.000Z"
    })
  })
})

describe("prorationFraction: whole local days, the change's day counted, the end's day not", () => {
  // Period 3 of a monthly plan anchored on Jan 1 (UTC): Apr 1 -> May 1, 30 days.
  const april = periodBounds(utc("2026-01-01T00:00:00Z"), "UTC", "month", 3)

  it.each([
    // from, to, days, periodDays
    ["2026-04-10T15:00:00Z", "2026-05-01T00:00:00Z", 21, 30], // a change on day 10: 21/30
    ["2026-04-10T00:00:00Z", "2026-05-01T00:00:00Z", 21, 30], // the time of day does not matter
    ["2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z", 30, 30], // the whole period
    ["2026-03-20T00:00:00Z", "2026-06-01T00:00:00Z", 30, 30], // clamped to the period
    ["2026-04-01T00:00:00Z", "2026-04-10T08:00:00Z", 9, 30], // Apr 1..Apr 9: the day of `to` is not counted
    ["2026-04-30T23:59:59Z", "2026-05-01T00:00:00Z", 1, 30], // the last day
    ["2026-04-10T00:00:00Z", "2026-04-10T23:00:00Z", 0, 30], // within one day
    ["2026-04-20T00:00:00Z", "2026-04-10T00:00:00Z", 0, 30], // `to` before `from`
    ["2026-05-02T00:00:00Z", "2026-05-20T00:00:00Z", 0, 30] // after the period
  ])("[%s, %s) is %i/%i", (from, to, days, periodDays) => {
    expect(prorationFraction(april, utc(from), utc(to), "UTC")).toEqual({ days, periodDays })
  })

  it("counts the customer's local dates (New York): 22:00 on Jan 30 local is Jan 31 in UTC", () => {
    const zone = "America/New_York"
    const period = periodBounds(utc("2026-01-15T14:00:00Z"), zone, "month", 0) // Jan 15 09:00 -> Feb 15 09:00
    expect(prorationFraction(period, utc("2026-01-31T03:00:00Z"), period.end, zone)).toEqual({ days: 16, periodDays: 31 })
    expect(prorationFraction(period, utc("2026-01-31T03:00:00Z"), period.end, "UTC")).toEqual({ days: 15, periodDays: 31 })
  })

  it("is not thrown off by daylight saving: Mar 8 -> Apr 8 in New York is 31 days", () => {
    const zone = "America/New_York"
    const period = periodBounds(utc("2026-02-08T07:30:00Z"), zone, "month", 1) // starts 03:30 EDT (gap)
    expect(prorationFraction(period, period.start, period.end, zone)).toEqual({ days: 31, periodDays: 31 })
  })
})

describe("installmentSchedule", () => {
  it("12 months paid monthly: 12 installments, each due at its period's start", () => {
    const schedule = installmentSchedule(utc("2026-01-31T10:00:00Z"), "UTC", "month", 12)
    expect(schedule.map((i) => [i.number, iso(i.due)])).toEqual([
      [1, "2026-01-31T10:00:00.000Z"],
      [2, "2026-02-28T10:00:00.000Z"],
      [3, "2026-03-31T10:00:00.000Z"],
      [4, "2026-04-30T10:00:00.000Z"],
      [5, "2026-05-31T10:00:00.000Z"],
      [6, "2026-06-30T10:00:00.000Z"],
      [7, "2026-07-31T10:00:00.000Z"],
      [8, "2026-08-31T10:00:00.000Z"],
      [9, "2026-09-30T10:00:00.000Z"],
      [10, "2026-10-31T10:00:00.000Z"],
      [11, "2026-11-30T10:00:00.000Z"],
      [12, "2026-12-31T10:00:00.000Z"]
    ])
  })

  it("24 months paid yearly: 2 installments", () => {
    const schedule = installmentSchedule(utc("2028-02-29T12:00:00Z"), "UTC", "year", 24)
    expect(schedule.map((i) => [i.number, iso(i.due)])).toEqual([
      [1, "2028-02-29T12:00:00.000Z"],
      [2, "2029-02-28T12:00:00.000Z"]
    ])
  })

  it("follows the customer's local time (New York, 09:00)", () => {
    const schedule = installmentSchedule(utc("2026-01-15T14:00:00Z"), "America/New_York", "month", 3)
    expect(schedule.map((i) => iso(i.due))).toEqual([
      "2026-01-15T14:00:00.000Z",
      "2026-02-15T14:00:00.000Z",
      "2026-03-15T13:00:00.000Z"
    ])
  })

  it.each([
    ["month", 0],
    ["month", -1],
    ["month", 1.5],
    ["year", 6],
    ["year", 18]
  ] as const)("rejects a %s plan committed for %s months", (interval, months) => {
    expect(() => installmentSchedule(utc("2026-01-01T00:00:00Z"), "UTC", interval, months)).toThrow(RangeError)
  })
})

describe("programming errors", () => {
  it("rejects a negative or fractional index", () => {
    expect(() => periodBounds(utc("2026-01-01T00:00:00Z"), "UTC", "month", -1)).toThrow(RangeError)
    expect(() => periodBounds(utc("2026-01-01T00:00:00Z"), "UTC", "month", 0.5)).toThrow(RangeError)
  })

  it("rejects an unknown time zone", () => {
    expect(() => periodBounds(utc("2026-01-01T00:00:00Z"), "Mars/Olympus_Mons", "month", 0)).toThrow()
  })
})

describe("properties", () => {
  // Northern and southern DST, a half-hour DST (Lord Howe), a midnight transition (Santiago), none.
  const ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago"
  ] as const
  const zoneArb = fc.constantFrom(...ZONES)
  const anchorArb = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })
    .map((ms) => DateTime.unsafeMake(ms) as DateTime.Utc)
  const indexArb = fc.integer({ min: 0, max: 40 })
  const intervalArb = fc.constantFrom<BillingInterval>("month", "year")
  const ms = DateTime.toEpochMillis
  const NUM_RUNS = 300

  const parts = (dt: DateTime.Utc, timeZone: string) => DateTime.toParts(DateTime.unsafeMakeZoned(dt, { timeZone }))
  const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

  it("periods are contiguous and strictly increasing", () => {
    fc.assert(
      fc.property(anchorArb, zoneArb, intervalArb, indexArb, (anchor, zone, interval, k) => {
        const p = periodBounds(anchor, zone, interval, k)
        const next = periodBounds(anchor, zone, interval, k + 1)
        expect(ms(p.end)).toBe(ms(next.start))
        expect(ms(p.start)).toBeLessThan(ms(p.end))
        if (k === 0) expect(ms(p.start)).toBe(ms(anchor))
        else expect(ms(periodBounds(anchor, zone, interval, k - 1).end)).toBe(ms(p.start))
      }),
      { numRuns: NUM_RUNS }
    )
  })

  it("a monthly period is 28..31 days, give or take the daylight-saving hour; a yearly one 365..366", () => {
    fc.assert(
      fc.property(anchorArb, zoneArb, intervalArb, indexArb, (anchor, zone, interval, k) => {
        const p = periodBounds(anchor, zone, interval, k)
        const length = ms(p.end) - ms(p.start)
        const [min, max] = interval === "month" ? [28, 31] : [365, 366]
        expect(length).toBeGreaterThanOrEqual(min * DAY - HOUR)
        expect(length).toBeLessThanOrEqual(max * DAY + HOUR)
        const { periodDays } = prorationFraction(p, p.start, p.end, zone)
        expect(periodDays).toBeGreaterThanOrEqual(min)
        expect(periodDays).toBeLessThanOrEqual(max)
      }),
      { numRuns: NUM_RUNS }
    )
  })

  it("periodAt finds each period from its start, its last millisecond and any instant inside", () => {
    fc.assert(
      fc.property(
        anchorArb,
        zoneArb,
        intervalArb,
        indexArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (anchor, zone, interval, k, fraction) => {
          const p = periodBounds(anchor, zone, interval, k)
          const inside = DateTime.unsafeMake(
            ms(p.start) + Math.floor(fraction * (ms(p.end) - ms(p.start)))
          ) as DateTime.Utc
          for (const at of [p.start, DateTime.unsafeMake(ms(p.end) - 1) as DateTime.Utc, inside]) {
            const found = periodAt(anchor, zone, interval, at)
            expect(found.index).toBe(k)
            expect(ms(found.start)).toBe(ms(p.start))
            expect(ms(found.end)).toBe(ms(p.end))
          }
        }
      ),
      { numRuns: NUM_RUNS }
    )
  })

  it("a period starts on the anchor's local day, clamped to the month, at its local time unless that does not exist", () => {
    fc.assert(
      fc.property(anchorArb, zoneArb, intervalArb, indexArb, (anchor, zone, interval, k) => {
        const a = parts(anchor, zone)
        const s = parts(periodBounds(anchor, zone, interval, k).start, zone)
        const months = a.month - 1 + k * (interval === "year" ? 12 : 1)
        const year = a.year + Math.floor(months / 12)
        const month = (months % 12) + 1
        const day = Math.min(a.day, daysIn(year, month))
        expect([s.year, s.month, s.day]).toEqual([year, month, day])
        const sameTime = s.hours === a.hours && s.minutes === a.minutes && s.seconds === a.seconds &&
          s.millis === a.millis
        if (!sameTime) {
          // Only a wall-clock time in a daylight-saving gap moves (forward).
          const wall = { year, month, day, hours: a.hours, minutes: a.minutes, seconds: a.seconds, millis: a.millis }
          expect(() =>
            DateTime.unsafeMakeZoned(wall, { timeZone: zone, adjustForTimeZone: true, disambiguation: "reject" })
          ).toThrow(/Gap time/)
          expect(s.hours * 60 + s.minutes).toBeGreaterThan(a.hours * 60 + a.minutes)
        }
      }),
      { numRuns: NUM_RUNS }
    )
  })

  it("anchors in the small hours keep their local day and time through every transition (indices 0..40)", () => {
    // Random instants rarely land on a transition; these are local 00:00..03:59 wall clocks, where
    // the gaps and overlaps of the zones above are, and every period 0..40 is checked.
    const smallHours = fc
      .record({
        zone: zoneArb,
        year: fc.integer({ min: 2000, max: 2039 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 31 }),
        hours: fc.integer({ min: 0, max: 3 }),
        minutes: fc.integer({ min: 0, max: 59 })
      })
      .map(({ day, month, year, zone, ...time }) => {
        const wall = { year, month, day: Math.min(day, daysIn(year, month)), ...time }
        return { zone, anchor: DateTime.toUtc(DateTime.unsafeMakeZoned(wall, { timeZone: zone, adjustForTimeZone: true })) }
      })
    fc.assert(
      fc.property(smallHours, intervalArb, ({ anchor, zone }, interval) => {
        const a = parts(anchor, zone)
        let previous = anchor
        for (let k = 0; k <= 40; k++) {
          const p = periodBounds(anchor, zone, interval, k)
          expect(ms(p.start)).toBe(ms(previous))
          expect(ms(p.end)).toBeGreaterThan(ms(p.start))
          previous = p.end
          const s = parts(p.start, zone)
          const months = a.month - 1 + k * (interval === "year" ? 12 : 1)
          const [year, month] = [a.year + Math.floor(months / 12), (months % 12) + 1]
          expect([s.year, s.month, s.day]).toEqual([year, month, Math.min(a.day, daysIn(year, month))])
          const wall = a.hours * 60 + a.minutes
          const got = s.hours * 60 + s.minutes
          // The same wall clock, or later the same day when it fell in a gap (at most an hour).
          expect(got - wall).toBeGreaterThanOrEqual(0)
          expect(got - wall).toBeLessThanOrEqual(60)
        }
      }),
      { numRuns: 200 }
    )
  })

  it("every date of 2026..2027 at the small hours, in every zone: the local day, and the time unless in a gap", () => {
    // Deterministic sweep: anchors on each day 1..31 of January 2026, monthly, periods 0..23, so
    // every transition date of those years is a period start at each of these wall clocks (the
    // gaps: 00:00-01:00 Santiago, 02:00-02:30 Lord Howe, 02:00-03:00 New York and Berlin).
    const shifted = new Set<string>()
    for (const zone of ZONES) {
      for (let day = 1; day <= 31; day++) {
        for (const [hours, minutes] of [[0, 30], [1, 30], [2, 15], [2, 30], [23, 30]] as const) {
          const anchor = DateTime.toUtc(
            DateTime.unsafeMakeZoned({ year: 2026, month: 1, day, hours, minutes }, { timeZone: zone, adjustForTimeZone: true })
          )
          for (let k = 0; k < 24; k++) {
            const { start } = periodBounds(anchor, zone, "month", k)
            const s = parts(start, zone)
            const [year, month] = [2026 + Math.floor(k / 12), (k % 12) + 1]
            expect([s.year, s.month, s.day]).toEqual([year, month, Math.min(day, daysIn(year, month))])
            const delta = s.hours * 60 + s.minutes - (hours * 60 + minutes)
            if (delta !== 0) {
              shifted.add(zone)
              const wall = { year, month, day: s.day, hours, minutes }
              expect(() =>
                DateTime.unsafeMakeZoned(wall, { timeZone: zone, adjustForTimeZone: true, disambiguation: "reject" })
              ).toThrow(/Gap time/)
              expect(delta).toBeGreaterThan(0)
              expect(delta).toBeLessThanOrEqual(60)
            }
          }
        }
      }
    }
    expect([...shifted].sort()).toEqual(["America/New_York", "America/Santiago", "Australia/Lord_Howe", "Europe/Berlin"])
  })

  it("proration days add up and stay within the period", () => {
    const instant = fc.integer({ min: -DAY * 40, max: DAY * 400 })
    fc.assert(
      fc.property(anchorArb, zoneArb, intervalArb, indexArb, instant, instant, instant, (anchor, zone, interval, k, x, y, z) => {
        const p = periodBounds(anchor, zone, interval, k)
        const [a, b, c] = [x, y, z].sort((l, r) => l - r).map((d) => DateTime.unsafeMake(ms(p.start) + d!) as DateTime.Utc)
        const ab = prorationFraction(p, a!, b!, zone)
        const bc = prorationFraction(p, b!, c!, zone)
        const ac = prorationFraction(p, a!, c!, zone)
        expect(ab.days + bc.days).toBe(ac.days)
        expect(ac.days).toBeGreaterThanOrEqual(0)
        expect(ac.days).toBeLessThanOrEqual(ac.periodDays)
        expect(prorationFraction(p, p.start, p.end, zone).days).toBe(ac.periodDays)
        expect(Number.isInteger(ac.days) && Number.isInteger(ac.periodDays)).toBe(true)
      }),
      { numRuns: NUM_RUNS }
    )
  })

  it("installments are the period starts", () => {
    fc.assert(
      fc.property(anchorArb, zoneArb, intervalArb, fc.integer({ min: 1, max: 5 }), (anchor, zone, interval, n) => {
        const months = interval === "year" ? 12 * n : n
        const schedule = installmentSchedule(anchor, zone, interval, months)
        expect(schedule.map((i) => i.number)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
        schedule.forEach((i, k) => expect(ms(i.due)).toBe(ms(periodBounds(anchor, zone, interval, k).start)))
      }),
      { numRuns: 100 }
    )
  })
})
