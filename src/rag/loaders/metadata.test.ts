import { describe, expect, it } from "vitest";
import { flattenMetadata } from "./metadata.js";

describe("flattenMetadata()", () => {
  it("flattens objects to dotted keys, dates to ISO strings, drops nulls and keeps scalar arrays", () => {
    expect(
      flattenMetadata({
        title: "T",
        count: 3,
        draft: false,
        published: new Date("2024-05-01T10:00:00Z"),
        author: { name: "Ada", address: { city: "London" } },
        tags: ["a", 1, true, null],
        reviewer: null,
        missing: undefined,
      }),
    ).toEqual({
      title: "T",
      count: 3,
      draft: false,
      published: "2024-05-01T10:00:00.000Z",
      "author.name": "Ada",
      "author.address.city": "London",
      tags: ["a", 1, true],
    });
  });

  it("keeps what does not fit a filterable value as JSON text rather than losing it", () => {
    expect(flattenMetadata({ links: [{ href: "/a" }], nested: [[1, 2]], ratio: Number.NaN })).toEqual({
      links: '[{"href":"/a"}]',
      nested: "[[1,2]]",
      ratio: "NaN",
    });
  });
});
