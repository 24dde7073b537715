/**
 * The wire shapes of the collections API. Each is checked on the way in and documented in the
 * OpenAPI document from this one declaration; the limits mirror the library's (`src/rag/validate.ts`)
 * so a request the library would refuse is refused here first, with the field named.
 */
import { z } from "zod";

const Name = z.string().min(1).max(512);
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const Metadata = z
  .record(
    z
      .string()
      .min(1)
      .max(128)
      // Control characters spelled out: JSON Schema validators may read the pattern without the u flag.
      .regex(
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
        /^[^$"\\\u0000-\u001f\u007f-\u009f][^"\\\u0000-\u001f\u007f-\u009f]*$/,
        "not starting with $, no quotes, backslashes or control characters",
      ),
    z.union([Scalar, z.array(Scalar)]),
  )
  .describe("Filterable fields: strings, finite numbers, booleans or arrays of those.");

export const Access = z
  .object({
    principals: z.array(Name).max(1000).optional().describe("User ids who may read the document."),
    groups: z
      .array(Name)
      .max(1000)
      .optional()
      .describe('Groups who may read it ("everyone": every principal).'),
  })
  .strict()
  .refine((a) => (a.principals?.length ?? 0) + (a.groups?.length ?? 0) > 0, {
    message: 'access names nobody; give at least one principal or group (e.g. { "groups": ["everyone"] })',
  })
  .meta({ id: "DocumentAccess" });

export const DocumentBody = z
  .object({
    id: Name.describe(
      "Stable id: ingesting the same id again replaces the document (or costs nothing if unchanged).",
    ),
    text: z.string().min(1).describe("The document's content, in `format`."),
    format: z
      .enum(["text", "markdown", "html"])
      .optional()
      .describe(
        'How to read `text` (default "text"): Markdown headings and HTML structure give heading paths.',
      ),
    title: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe("Stored as metadata.title (over a title the format gives)."),
    metadata: Metadata.optional(),
    access: Access.optional().describe(
      "Who may read it: required in a collection with access control, refused in one without.",
    ),
  })
  .strict()
  .meta({ id: "CollectionDocument" });

export const IngestRequest = z
  .object({ documents: z.array(DocumentBody).min(1) })
  .strict()
  .meta({
    id: "IngestDocumentsRequest",
    examples: [
      {
        documents: [
          {
            id: "policies/refunds.md",
            format: "markdown",
            text: "# Refunds\n\nWe refund purchases within thirty days.",
            metadata: { team: "billing" },
            access: { groups: ["everyone"] },
          },
        ],
      },
    ],
  });

export const IngestResponse = z
  .object({
    collection: z.string(),
    documents: z.number().int(),
    added: z.number().int(),
    updated: z.number().int(),
    unchanged: z
      .number()
      .int()
      .describe("Documents whose content, metadata and access did not change (no work done)."),
    chunks: z.number().int().nonnegative().describe("Chunks written."),
  })
  .meta({ id: "IngestReport" });

export const Principal = z
  .object({
    id: Name,
    groups: z.array(Name).max(1000).optional(),
  })
  .strict()
  .describe(
    'Who the calling app is asking for (it vouches for its user). Every principal also belongs to the group "everyone".',
  )
  .meta({ id: "Principal" });

export const QueryRequest = z
  .object({
    query: z.string().min(1).max(10_000),
    k: z.number().int().min(1).max(100).optional().describe("Hits wanted (default 10)."),
    mode: z.enum(["bm25", "vector", "hybrid"]).optional().describe('Default "hybrid".'),
    filter: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'MongoDB-style metadata filter, e.g. { "team": "billing", "year": { "$gte": 2024 } }; operators $eq $ne $gt $gte $lt $lte $in $nin $exists, combined with $and $or $not.',
      ),
    principal: Principal.optional(),
  })
  .strict()
  .meta({
    id: "CollectionQueryRequest",
    examples: [
      {
        query: "how long do refunds take",
        k: 5,
        filter: { team: "billing" },
        principal: { id: "ana", groups: ["support"] },
      },
    ],
  });

export const Citation = z
  .object({
    documentId: z.string(),
    chunkIndex: z.number().int().nonnegative(),
    text: z.string(),
    score: z.number().describe("Ranking score for the mode, higher is better."),
    scores: z.object({ bm25: z.number().optional(), vector: z.number().optional() }),
    span: z
      .object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() })
      .describe("UTF-16 offsets of `text` in the document as ingested (end exclusive)."),
    headingPath: z.array(z.string()),
    page: z.number().int().positive().optional(),
    metadata: Metadata,
  })
  .meta({ id: "Citation" });

export const QueryResponse = z
  .object({
    collection: z.string(),
    mode: z.enum(["bm25", "vector", "hybrid"]),
    hits: z.array(Citation),
  })
  .meta({ id: "CollectionQueryResult" });

export const DeleteResponse = z.object({ id: z.string(), deleted: z.literal(true) });

export type DocumentBody = z.infer<typeof DocumentBody>;
export type Citation = z.infer<typeof Citation>;
