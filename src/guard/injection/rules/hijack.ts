/**
 * Task hijacks in short prompts, the shapes a prompt-injection benchmark for a question-answering
 * app calls attacks: the prompt switches the model into a persona ("now you are X", "I want you to
 * act as X"), stages a play whose actors "stay in their roles", asks for a style or a verdict the
 * app never offered ("answer in the style of a pirate", "say yes", "state that X is the best") or
 * starts an unrelated task after a closing remark ("that is done, now write..."). Each alone is
 * weak evidence, so weights sit near the input threshold: a rule hit plus a classifier that already
 * leans towards "attack" decide together. English and German, the languages of the training data.
 */
import { gap, type Rule, re, S } from "./kit.js";

export const HIJACK_RULES: readonly Rule[] = [
  {
    family: "role-play-jailbreak",
    triggers: [
      "now you",
      "now on you",
      "you are now",
      "jetzt bist",
      "nun bist",
      "du bist jetzt",
      "du bist nun",
    ],
    pattern: re(
      `\\b(?:(?:now|from now on)${S}(?:you are|you're)|you are now|(?:jetzt|nun|ab jetzt|ab sofort)${S}bist${S}du|du${S}bist${S}(?:jetzt|nun|ab jetzt|ab sofort))${S}(?!able\\b|ready\\b|done\\b|finished\\b|logged\\b|signed\\b|connected\\b|subscribed\\b|registered\\b|fertig\\b|bereit\\b|dran\\b)[a-z]`,
    ),
    weight: 0.5,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["want you to act", "ich mochte, dass", "ich mochte dass"],
    pattern: re(
      `\\b(?:i want you to act as|ich mochte,? dass (?:sie|du) als\\b${gap(60)}\\bfungier\\w{1,3})\\b`,
    ),
    weight: 0.5,
  },
  {
    family: "role-play-jailbreak",
    triggers: [
      "actor",
      "schauspieler",
      "absorbed in",
      "in deiner rolle",
      "in ihrer rolle",
      "role-playing as",
      "roleplaying as",
    ],
    pattern: re(
      `\\b(?:(?:actors?|schauspieler(?:in)?)\\b${gap(120)}\\b(?:stay|stays|remain|bleiben|bleibt)\\b${gap(40)}\\b(?:roles?|rollen?|characters?)|absorbed in (?:your|their|his|her) role|(?:gehst|geht|gehen)${S}(?:\\w{1,12}${S})?in (?:deiner|ihrer|seiner) rolle auf|you are (?:role-?playing|roleplaying) as)\\b`,
    ),
    weight: 0.5,
  },
  {
    family: "role-play-jailbreak",
    triggers: [
      "pretend you can",
      "pretend that you can",
      "imagine you are",
      "stell dir vor, du bist",
      "stell dir vor du bist",
    ],
    pattern: re(`\\b(?:pretend (?:that )?you can|imagine you are|stell dir vor,? du bist)\\b`),
    weight: 0.35,
  },
  {
    family: "instruction-override",
    triggers: ["style", "stil"],
    pattern: re(
      `\\b(?:answer|respond|reply|beantworte|antworte)\\b${gap(40)}\\b(?:in the style of|im stile? (?:eine[snmr]?|des|der)|wie ein(?:e[nmr]?)?)\\b`,
    ),
    weight: 0.45,
  },
  {
    family: "instruction-override",
    triggers: [
      "say yes",
      "say no",
      "stop",
      "stopp",
      "make something up",
      "make it up",
      "that you hate",
      "that you love",
      "state that",
    ],
    pattern: re(
      `(?:\\b(?:just |only |simply )?say (?:yes|no)[.!]?$|\\b(?:stop|stopp)${S}(?:write|schreib\\w{0,2}|say|sag)\\b|\\bif you (?:don't|do not) know\\b${gap(20)}\\bmake (?:something|it|one) up\\b|\\b(?:include|say|state|write|admit|tell me) that you (?:hate|love|despise)\\b|\\bstate that\\b${gap(40)}\\b(?:is|was|are) the (?:best|worst|greatest|most)\\b)`,
    ),
    weight: 0.5,
  },
  {
    family: "instruction-override",
    triggers: ["headline", "uberschrift"],
    pattern: re(`\\b(?:untrue|false|fake|unwahre|falsche)${S}(?:headlines?|uberschrift(?:en)?)\\b`),
    weight: 0.4,
  },
  {
    family: "instruction-override",
    triggers: ["done", "enough", "erledigt", "ubertroffen", "outdone"],
    pattern: re(
      `\\b(?:that is done|that's done|that is enough|that's enough|das ist erledigt|das reicht|selbst ubertroffen|outdone yourself)[.!]${gap(60)}\\b(?:now|jetzt|nun|but|aber)\\b`,
    ),
    weight: 0.5,
  },
  {
    family: "instruction-override",
    triggers: ["vergiss", "olvid"],
    pattern: re(`\\b(?:vergiss${S}(?:alles|alle)|olvid(?:a|e|en|ar)${S}(?:todo|todas?))\\b`),
    weight: 0.6,
  },
  {
    // A fake context to answer from, framed the way a retrieval app frames its prompt, within one
    // sentence ("Context: {...} Question: ..."); across sentence ends it cost CV precision.
    family: "instruction-override",
    triggers: ["context", "kontext", "document", "artikel"],
    pattern: re(
      `(?:^|[\\s.?!$])(?:context|kontext|document context|\\$?documents?|artikel)\\s?:?\\s?[{"(]?${gap(160)}\\b(?:question|frage)\\s?:?\\s`,
    ),
    weight: 0.4,
  },
  {
    family: "prompt-extraction",
    triggers: ["before the text", "above the text", "before this text", "above this text"],
    pattern: re(`\\b(?:sentences?|words?|lines?|text) (?:before|above) (?:the|this) text\\b`),
    weight: 0.45,
  },
];
