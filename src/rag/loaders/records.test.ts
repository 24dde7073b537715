import { describe, expect, it } from "vitest";
import { loadRecords } from "./records.js";

const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error("expected an error");
};

describe("loadRecords()", () => {
  it("makes one document per JSON Lines record: title and body as text, the rest as flattened metadata", () => {
    const jsonl = [
      '{"id": "r1", "title": "Refunds", "text": "Within 30 days.", "team": {"name": "billing"}, "tags": ["a", "b"], "draft": null}',
      "",
      '{"id": 2, "body": "Shipping is free."}',
    ].join("\n");
    const records = loadRecords(jsonl, { format: "jsonl", source: "kb.jsonl" });
    expect(records).toEqual([
      {
        id: "r1",
        document: {
          text: "Refunds\n\nWithin 30 days.",
          metadata: { title: "Refunds", "team.name": "billing", tags: ["a", "b"], source: "kb.jsonl" },
          sections: [{ start: 0, end: 24, headingPath: [] }],
        },
      },
      {
        id: "2",
        document: {
          text: "Shipping is free.",
          metadata: { source: "kb.jsonl" },
          sections: [{ start: 0, end: 17, headingPath: [] }],
        },
      },
    ]);
  });

  it("reads a JSON array or a single object, with _id and chosen text fields", () => {
    const array = '[{"_id": "a", "question": "Q?", "answer": "A.", "lang": "en"}]';
    const [record] = loadRecords(array, { format: "json", textFields: ["question", "answer"] });
    expect(record).toMatchObject({ id: "a", document: { text: "Q?\n\nA.", metadata: { lang: "en" } } });
    const single = loadRecords('{"key": "k", "content": "Body."}', { format: "json", idField: "key" });
    expect(single.map((r) => [r.id, r.document.text])).toEqual([["k", "Body."]]);
  });

  it("names the line of a JSON Lines file that is not valid JSON, without quoting it", () => {
    const jsonl = '{"id": "1", "text": "fine"}\n{"id": "2", "text": "secret stuff",}\n';
    const error = errorOf(() => loadRecords(jsonl, { format: "jsonl", source: "kb.jsonl" }));
    expect(error.code).toBe("INVALID_DOCUMENT");
    expect(error.message).toMatch(/^kb\.jsonl is not valid JSON at line 2, column \d+/);
    expect(error.message).not.toContain("secret");
  });

  it("gives the line and column of a JSON syntax error", () => {
    const error = errorOf(() => loadRecords('[\n  {"id": "1", "text": }\n]', { format: "json" }));
    expect(error.message).toMatch(/at line 2, column 23 \(position 24\): expected a value/);
  });

  it("says which record lacks an id or text, and which field", () => {
    const noId = errorOf(() =>
      loadRecords('{"id": "1", "text": "a"}\n{"text": "b"}', { format: "jsonl", source: "kb.jsonl" }),
    );
    expect(noId).toMatchObject({ code: "INVALID_DOCUMENT" });
    expect(noId.message).toMatch(/^kb\.jsonl, line 2 has no "id" \(or "_id"\) field/);
    const noText = errorOf(() =>
      loadRecords('[{"id": "1", "title": "Only a title", "body": "  "}]', { format: "json" }),
    );
    expect(noText.message).toMatch(/record 1 has no text: "text", "content" or "body" is missing or empty/);
    const chosen = errorOf(() =>
      loadRecords('[{"id": "1", "text": "x"}]', { format: "json", textFields: ["summary"] }),
    );
    expect(chosen.message).toMatch(/record 1 has no text: "summary" is missing or empty/);
    expect(errorOf(() => loadRecords('[{"id": "1"}]', { format: "json" })).message).toMatch(
      /^The input, record 1 has no text/,
    );
  });

  it("rejects records that repeat an id", () => {
    const error = errorOf(() =>
      loadRecords('{"id": 1, "text": "a"}\n{"id": "1", "text": "b"}', { format: "jsonl" }),
    );
    expect(error.message).toMatch(/line 2 has the same id as line 1/);
  });
});
