import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { COUNTRY_NAMES, countryName, isCountryCode } from "../../src/catalog/countries"
import { CreateProduct } from "../../src/catalog/model"

describe("countries", () => {
  it("has every assigned ISO 3166-1 alpha-2 code, in upper case", () => {
    const codes = Object.keys(COUNTRY_NAMES)
    expect(codes).toHaveLength(249)
    expect(codes.every((code) => /^[A-Z]{2}$/.test(code))).toBe(true)
    const eea = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
      "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"]
    for (const code of [...eea, "US", "CA", "GB", "CH", "AU", "NZ", "JP", "BR", "MX", "IN", "ZA", "SG"]) {
      expect(isCountryCode(code), code).toBe(true)
    }
    expect(countryName("DE")).toBe("Germany")
    expect(countryName("GB")).toBe("United Kingdom")
  })

  it("refuses what is not an assigned code", () => {
    for (const code of ["de", "XX", "EU", "UK", "DEU", "", "toString", "__proto__"]) {
      expect(isCountryCode(code), code).toBe(false)
    }
  })

  it("a product's availability takes assigned codes only", () => {
    const decode = Schema.decodeUnknownEither(CreateProduct)
    expect(Either.isRight(decode({ name: "P", type: "service", availability: [{ country: "NL", city: " Amsterdam " }] })))
      .toBe(true)
    expect(Either.isLeft(decode({ name: "P", type: "service", availability: [{ country: "UK" }] }))).toBe(true)
    expect(Either.isLeft(decode({ name: "P", type: "service", availability: [{ country: "NL", city: "" }] }))).toBe(true)
  })
})
