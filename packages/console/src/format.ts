/** Money and time as the viewer reads them: amounts per currency, instants in the viewer's time zone. */
const moneyFormats = new Map<string, Intl.NumberFormat>()

export const money = (value: { readonly amount: string; readonly currency: string } | null | undefined): string => {
  if (value === null || value === undefined) return "—"
  let format = moneyFormats.get(value.currency)
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(undefined, { style: "currency", currency: value.currency })
    } catch {
      format = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 })
    }
    moneyFormats.set(value.currency, format)
  }
  // The API's amounts are decimal strings; Intl accepts them as strings without a float round trip.
  return format.format(value.amount as unknown as number)
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" })

export const when = (iso: string | null | undefined): string => iso ? dateTime.format(new Date(iso)) : "—"
export const day = (iso: string | null | undefined): string => iso ? dateOnly.format(new Date(iso)) : "—"

/** This month as the API's billing period, `YYYY-MM`, in the viewer's calendar. */
export const thisPeriod = (offset = 0): string => {
  const now = new Date()
  const date = new Date(now.getFullYear(), now.getMonth() + offset, 1)
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`
}
