import { describe, expect, it } from "vitest";
import { piiScanner } from "./index.js";

const persons = piiScanner({ types: ["PERSON"] });

/** The names found in `text`, as [matched text, start, end]. */
function names(text: string): Array<[string, number, number]> {
  return persons(text, { source: "input" }).map((f) => [text.slice(f.start, f.end), f.start, f.end]);
}

describe("PERSON", () => {
  it("finds a known first name with the surname after it, with exact offsets", () => {
    expect(names("Yesterday Sarah Whitfield approved the budget.")).toEqual([["Sarah Whitfield", 10, 25]]);
  });

  it("finds names after an honorific, without the honorific", () => {
    expect(names("Please forward this to Dr. Quorvel Anstey and Mrs. Brimble.")).toEqual([
      ["Quorvel Anstey", 27, 41],
      ["Brimble", 51, 58],
    ]);
  });

  it("finds unknown names through context words, middle initials and speech verbs", () => {
    expect(names("Hello, my name is Zorvan Keltiss")).toEqual([["Zorvan Keltiss", 18, 32]]);
    expect(names("Signed by Tavi R. Montrose")).toEqual([["Tavi R. Montrose", 10, 26]]);
    expect(names('"Not today," Quellan said.')).toEqual([["Quellan", 13, 20]]);
  });

  it("finds later mentions of a name and names listed next to one", () => {
    const text =
      "We met Yorick Pennefeather in May. Later Pennefeather wrote back to Olivia, Dastrel and Mabry.";
    expect(names(text).map(([name]) => name)).toEqual([
      "Yorick Pennefeather",
      "Pennefeather",
      "Olivia",
      "Dastrel",
      "Mabry",
    ]);
  });

  it("finds first names in sentences written without capitals", () => {
    expect(names("hi, i'm emily tanaka and this is my friend oliver")).toEqual([
      ["emily tanaka", 8, 20],
      ["oliver", 43, 49],
    ]);
  });

  it("does not report organisations, titles, places or addresses", () => {
    expect(names("The Acme Holding Group met at the Riverside Tennis Club.")).toEqual([]);
    expect(names("Ship it to Via Giuseppe Verdi 12, or to 7 rue Émile Zola.")).toEqual([]);
    expect(names("We flew from Saint Helena to San Diego via Kenya.")).toEqual([]);
    expect(names("Seasons Like Autumn Bring Quiet Evenings To Everyone.")).toEqual([]);
    expect(names("PLEASE CALL NASA ABOUT THE LAUNCH")).toEqual([]);
  });

  it("does not take an ambiguous word alone for a name", () => {
    expect(names("Will you grant me access? May is busy; Mark the box.")).toEqual([]);
  });

  it("scores a context-free pair of capitalised words below the default threshold", () => {
    const text = "Brennick Halloway approved it last spring.";
    expect(names(text)).toEqual([]);
    const all = piiScanner({ types: ["PERSON"], minScore: 0 })(text, { source: "input" });
    expect(all).toMatchObject([{ type: "PERSON", detail: "capitalised" }]);
    expect(all[0]!.score).toBeLessThan(0.5);
  });
});
