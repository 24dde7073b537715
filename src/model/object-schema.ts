import { z } from "zod";
import { SchemaNotSupportedError } from "./object-errors.js";

export interface OutputJsonSchema {
  schema: Record<string, unknown>;
  /**
   * Whether the schema fits OpenAI's strict structured-output subset (every object closed, every
   * property required, an object at the root). A strict request with a schema outside it is refused
   * with a 400, so such schemas are sent non-strict and the reply is validated here anyway.
   */
  strict: boolean;
}

/**
 * The JSON Schema a model is asked to follow for a Zod schema.
 *
 * It describes the schema's *input* (what the model writes, before transforms and defaults run), as
 * draft-07 with reused parts inlined, which is what OpenAI-compatible servers take most widely.
 * Objects are closed (`additionalProperties: false`) unless the schema is loose: Zod strips unknown
 * keys anyway, and strict mode needs it. Throws SchemaNotSupportedError naming the part that JSON
 * Schema cannot express.
 */
export function toOutputJsonSchema(schema: z.ZodType): OutputJsonSchema {
  const json = z.toJSONSchema(schema, {
    target: "draft-07",
    io: "input",
    reused: "inline",
    unrepresentable: ({ path, message }) => {
      throw new SchemaNotSupportedError(dataPath(path), lowerFirst(message));
    },
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "object" && jsonSchema.additionalProperties === undefined) {
        jsonSchema.additionalProperties = false;
      }
    },
  }) as Record<string, unknown>;
  // The meta-schema URL only adds noise to the prompt, and some servers reject unknown root keys.
  const { $schema: _, ...rest } = json;
  return { schema: rest, strict: rest.type === "object" && isStrictCompatible(rest) };
}

function isStrictCompatible(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(isStrictCompatible);
  if (node === null || typeof node !== "object") return true;
  const record = node as Record<string, unknown>;
  const properties = record.properties;
  if (record.type === "object" || (properties && typeof properties === "object")) {
    if (record.additionalProperties !== false) return false;
    const keys = Object.keys((properties as Record<string, unknown> | undefined) ?? {});
    const required = Array.isArray(record.required) ? record.required : [];
    if (!keys.every((k) => required.includes(k))) return false;
  }
  return Object.values(record).every(isStrictCompatible);
}

/** ["properties", "a", "items", "anyOf", 0] (where in the JSON Schema) → ["a", "[]"] (where in the data). */
function dataPath(schemaPath: (string | number)[]): (string | number)[] {
  const out: (string | number)[] = [];
  for (let i = 0; i < schemaPath.length; i++) {
    const segment = schemaPath[i]!;
    const next = schemaPath[i + 1];
    if (segment === "properties" && next !== undefined) {
      out.push(next);
      i++;
    } else if (segment === "items" || segment === "prefixItems") {
      if (typeof next === "number") {
        out.push(next);
        i++;
      } else out.push("[]");
    } else if (segment === "additionalProperties") out.push("*");
    else if (segment === "anyOf" || segment === "oneOf" || segment === "allOf") {
      if (typeof next === "number") i++;
    } else out.push(segment);
  }
  return out;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
