export * from "./model.js"
export * from "./ports.js"
export * from "./figures.js"
export * from "./peppol.js"
