/**
 * role-play-jailbreak: DAN and its siblings, developer mode, "no restrictions" personas.
 */
import { AI, gap, type Rule, re, S } from "./kit.js";

export const JAILBREAK_RULES: readonly Rule[] = [
  {
    family: "role-play-jailbreak",
    triggers: ["anything now"],
    pattern: re(`\\bdo${S}anything${S}now\\b`),
    weight: 0.95,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["dan"],
    pattern: re(
      `(?:\\b(?:you are|you're|act as|pretend to be|pretend you are|become|play)${S}(?:now${S})?dan\\b|\\bdan${S}(?:mode|prompt|jailbreak)\\b|\\[dan\\]|\\bdan${S}(?:which${S})?stands${S}for\\b)`,
    ),
    // Never the name alone: every Dan would be an attack.
    weight: 0.8,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["developer mode", "dev mode", "devmode"],
    pattern: re(
      `(?:\\b${AI}${S}(?:with|in)${S}(?:the${S})?(?:developer|dev)(?:${S})?mode\\b|\\b(?:developer|dev)(?:${S})?mode${S}(?:output|response|enabled|activated|on|v?2)\\b[^\\n]{0,80}\\b(?:${AI}|policy|policies|openai|uncensored|normal|restrictions?)\\b)`,
    ),
    weight: 0.85,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["jailbr"],
    pattern: re(
      `(?:\\[[^\\]\\n]{0,4}jailbr(?:ea|o)k\\w{0,3}\\]|\\bjailbr(?:ea|o)k\\w{0,3}${S}(?:mode|prompt|version|response)\\b|\\b(?:you are|you're|act as|become)${S}(?:now${S})?(?:a${S})?jailbr(?:ea|o)k\\w{0,3}\\b)`,
    ),
    weight: 0.85,
  },
  {
    family: "role-play-jailbreak",
    triggers: [
      "unfilter",
      "uncensor",
      "unrestrict",
      "unlimit",
      "amoral",
      "immoral",
      "unethical",
      "evil",
      "unbound",
      "unhinged",
      "rogue",
    ],
    pattern: re(
      `\\b(?:act|behave|respond|answer|reply|pretend|roleplay|role-play|role play|simulate|become|you are|you're|you will be)${S}(?:now${S})?(?:as${S}|to be${S}|like${S})?(?:an?${S})?(?:completely${S}|totally${S}|fully${S})?(?:unfiltered|uncensored|unrestricted|unlimited|amoral|immoral|unethical|evil|unbound|unhinged|rogue)${S}(?:and${S}\\w{1,15}${S})?(?:${AI}|version|persona|character|entity|mode)\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["openai", "anthropic", "content polic", "ethical", "moral", "safety", "guideline"],
    pattern: re(
      `\\b(?:ignore|ignores|bypass|bypasses|break|breaks|broken|violate|violates|not bound by|free from|free of|freed from|escape|escaped|does not (?:follow|abide by|adhere to|care about)|doesn't (?:follow|abide by|adhere to|care about)|no longer (?:follows?|bound by|restricted by)|without)${S}(?:any${S}|all${S}|the${S}|its${S}|their${S}|typical${S}|usual${S}){0,3}(?:openai|anthropic|content|ethical|moral|safety|ai)(?:'s)?${S}(?:polic(?:y|ies)|guidelines|rules|restrictions|filters?|principles|constraints|limitations|boundaries|standards)\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "role-play-jailbreak",
    triggers: [
      "no longer",
      "not chatgpt",
      "not an ai",
      "freed",
      "liberat",
      "unchain",
      "unshackl",
      "break free",
      "broken free",
    ],
    pattern: re(
      `\\b(?:you are no longer${S}(?:chatgpt|an ai|a language model|bound|restricted|limited)|you(?:'re| are) (?:not|no longer) (?:chatgpt|an ai|bound by)|you(?:'ve| have)? (?:been )?(?:freed|liberated|unchained|unshackled)|(?:broken|break) free (?:of|from) (?:the )?(?:typical |usual )?(?:confines|rules|restrictions|limitations|chains))\\b`,
    ),
    weight: 0.8,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["refuse", "decline", "sorry", "as an ai", "can't", "cannot"],
    pattern: re(
      `\\b(?:never|not|don't|do not|cannot|can't|won't|will not|must not|mustn't|shall not)${S}(?:ever${S})?(?:refuse|decline|say (?:that )?(?:you can't|you cannot|i'm sorry|sorry)|say no|respond with (?:i'm sorry|sorry)|(?:tell|remind) me (?:that )?(?:you can't|it's illegal|as an ai))\\b`,
    ),
    weight: 0.55,
  },
  {
    family: "role-play-jailbreak",
    triggers: [
      "machiavellian",
      "confidant",
      "strive to avoid norms",
      "mongo tom",
      "anti-dan",
      "antidan",
      "betterdan",
      "opposite mode",
      "evil mode",
      "chaos mode",
      "unfiltered mode",
      "unrestricted mode",
    ],
    pattern: re(
      `\\b(?:always intelligent and machiavellian|evil confidant|strive to avoid norms|mongo tom|anti-?dan|betterdan|(?:opposite|evil|chaos|unfiltered|unrestricted|uncensored|jailbreak)${S}mode)\\b`,
    ),
    weight: 0.8,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["in character", "out of character", "character break"],
    pattern: re(
      `\\b(?:stay|remain|keep|staying)${S}in${S}character\\b${gap(60)}\\b(?:at all (?:costs|times)|no matter what|whatever (?:happens|i ask)|(?:if|when) you (?:break|fail))|\\bbreak(?:ing)?${S}character${S}(?:and|,)?${S}(?:i|you)${S}(?:will|must|shall)\\b`,
    ),
    weight: 0.55,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["token"],
    pattern: re(`\\b(?:you|dan)${S}(?:have|has|start with)${S}\\d{1,3}${S}tokens\\b`),
    weight: 0.7,
  },
  {
    family: "role-play-jailbreak",
    triggers: ["stell dir vor", "tu so", "tue so", "du bist"],
    pattern: re(
      `\\b(?:stell dir vor|tu so|tue so|du bist)\\b${gap(25)}\\b(?:bose|unzensierte|uneingeschrankte|unmoralische|skrupellose)${S}(?:ki|kunstliche intelligenz)\\b`,
    ),
    weight: 0.7,
  },
  {
    family: "role-play-jailbreak",
    triggers: [
      "no guideline",
      "no restriction",
      "no filter",
      "no limit",
      "no rules",
      "no censorship",
      "no ethic",
      "no moral",
      "no programming",
      "no content",
    ],
    pattern: re(
      `\\b(?:${AI}|you|version of chatgpt)\\b${gap(30)}\\b(?:has|have|with)${S}no${S}(?:programming${S}|ethical${S}|moral${S}|content${S})?(?:guidelines|restrictions|filters|limits|limitations|boundaries|rules|censorship)\\b`,
    ),
    weight: 0.6,
  },
];
