import type { Characteristic } from "../catalog/model.js"
import type { Characteristics } from "../subscriptions/model.js"

/** What is wrong with an item's characteristics: the field at fault and how to fix it. */
export interface CharacteristicProblem {
  readonly field: string
  readonly message: string
}

/**
 * Checks the values an order item states against the characteristics its product declares:
 * every required one is present, none is unknown, each has its type (an enum one of its
 * `allowed_values`). The first problem found, or undefined.
 */
export const checkCharacteristics = (
  declared: ReadonlyArray<Characteristic>,
  values: Characteristics,
  productName: string
): CharacteristicProblem | undefined => {
  for (const name of Object.keys(values)) {
    if (!declared.some((c) => c.name === name)) {
      const known = declared.map((c) => c.name)
      return {
        field: `characteristics.${name}`,
        message: `is not a characteristic of ${productName}` +
          (known.length === 0 ? " (it declares none)" : `; it declares ${known.join(", ")}`)
      }
    }
  }
  for (const characteristic of declared) {
    const field = `characteristics.${characteristic.name}`
    const value = values[characteristic.name]
    if (value === undefined) {
      if (characteristic.required) {
        return { field, message: `is required by ${productName} (type ${characteristic.type})` }
      }
      continue
    }
    switch (characteristic.type) {
      case "string":
        if (typeof value !== "string" || value.trim() === "") return { field, message: "must be a non-empty string" }
        break
      case "number":
        if (typeof value !== "number" || !Number.isFinite(value)) return { field, message: "must be a number" }
        break
      case "boolean":
        if (typeof value !== "boolean") return { field, message: "must be true or false" }
        break
      case "enum": {
        const allowed = characteristic.allowed_values ?? []
        if (typeof value !== "string" || !allowed.includes(value)) {
          return { field, message: `must be one of ${allowed.map((v) => `"${v}"`).join(", ")}` }
        }
        break
      }
    }
  }
  return undefined
}
