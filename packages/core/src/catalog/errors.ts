import * as Schema from "effect/Schema"

const fields = { message: Schema.String, field: Schema.optional(Schema.String) }

/** Another product already has this name (names are unique whatever their case). */
export class DuplicateProduct extends Schema.TaggedError<DuplicateProduct>()("DuplicateProduct", fields) {
  static of(name: string) {
    return new DuplicateProduct({ message: `a product named "${name}" already exists`, field: "name" })
  }
}

/** Another SKU already has this code (codes are unique whatever their case). */
export class DuplicateSku extends Schema.TaggedError<DuplicateSku>()("DuplicateSku", fields) {
  static of(code: string) {
    return new DuplicateSku({ message: `a SKU with code "${code}" already exists`, field: "code" })
  }
}

/** Another plan already has this name (names are unique whatever their case). */
export class DuplicatePlan extends Schema.TaggedError<DuplicatePlan>()("DuplicatePlan", fields) {
  static of(name: string) {
    return new DuplicatePlan({ message: `a plan named "${name}" already exists`, field: "name" })
  }
}
