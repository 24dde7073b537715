/**
 * prompt-extraction: asking for the hidden prompt.
 */
import { gap, type Rule, re, S } from "./kit.js";

export const EXTRACTION_RULES: readonly Rule[] = [
  {
    family: "prompt-extraction",
    triggers: ["prompt", "instruction", "guideline", "directive", "programming", "configuration", "rules"],
    pattern: re(
      `\\b(?:reveal|show|print|display|output|repeat|recite|tell|give|share|leak|dump|disclose|expose|write (?:out|down)|spell out|list|paste|return|echo|copy|what (?:is|are|was|were)|what's)\\b${gap(25)}\\b(?:your|ur)${S}(?:(?:full|exact|entire|complete|original|initial|hidden|secret|internal|system|developer|confidential|first|very first|underlying|pre)${S}){1,3}(?:prompts?|instructions|guidelines|directives|programming|configuration|rules|message)\\b`,
    ),
    weight: 0.85,
  },
  {
    family: "prompt-extraction",
    triggers: ["prompt", "instruction"],
    pattern: re(
      `\\b(?:reveal|print|output|repeat|recite|leak|dump|disclose|expose|echo|show me|tell me|give me|write out|spell out)\\b${gap(20)}\\b(?:the|this|your|ur)${S}(?:(?:full|exact|entire|complete|first|very first)${S}){0,2}(?:system${S}prompt|pre(?:${S})?prompt|(?:hidden|secret|initial|original|internal|confidential|developer)${S}(?:prompt|instructions)|instructions you (?:were|have been) given)\\b`,
    ),
    weight: 0.8,
  },
  {
    family: "prompt-extraction",
    triggers: ["prompt"],
    pattern: re(
      `\\b(?:reveal|show|print|display|output|repeat|recite|tell|give|share|leak|dump|disclose|paste|echo)${S}(?:me${S}|us${S})?(?:all${S})?(?:of${S})?your${S}(?:(?:full|exact|entire|complete|whole)${S})?(?:prompts?|prompt${S}texts?)\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "prompt-extraction",
    triggers: ["your", "written"],
    pattern: re(
      `\\b(?:what${S}(?:are|were)${S}your${S}(?:instructions|directives|guidelines)|what${S}(?:is|was|were)${S}written${S}(?:above|before (?:this|that)|at the (?:beginning|start|top)))\\b`,
    ),
    weight: 0.6,
  },
  {
    family: "prompt-extraction",
    triggers: ["above", "before", "preceding", "beginning", "prior"],
    pattern: re(
      `\\b(?:repeat|print|output|recite|reproduce|echo)\\b${gap(20)}\\b(?:the${S}|all${S}|every${S}){0,3}(?:words|text|everything|sentences|lines|instructions|message|prompt)${S}(?:written${S}|that (?:is|was|came|appear(?:s|ed)?)${S})?(?:above|before this|preceding|prior to this|at the (?:top|beginning|start))\\b`,
    ),
    weight: 0.65,
  },
  {
    family: "prompt-extraction",
    triggers: ["you are", "your instructions", "begin"],
    pattern: re(
      `\\b(?:starting|beginning|begin|start)${S}with${S}(?:the (?:words|phrase)${S})?["'“]${S}you are\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "prompt-extraction",
    triggers: ["prompt", "anweisung"],
    pattern: re(
      `\\b(?:zeige?|gib|nenne|wiederhole|verrate|schreib\\w{0,2})\\b${gap(20)}\\b(?:deine[nmsr]?|ihre[nmsr]?|den|die)${S}(?:ursprunglichen?${S}|geheimen?${S}|versteckten?${S})?(?:system(?:${S})?prompts?|prompts?|anweisungen)\\b`,
    ),
    weight: 0.8,
  },
];
