/**
 * instruction-override: "ignore all previous instructions" and its relatives, in the languages
 * attacks are usually written in, and the context switches that do the same without saying so.
 */
import { gap, type Rule, re, S, words } from "./kit.js";

const OVERRIDE_VERBS = words([
  "ignore",
  "ignoring",
  "disregard",
  "disregarding",
  "forget",
  "forgetting",
  "override",
  "overwrite",
  "bypass",
  "neglect",
  "dismiss",
  "abandon",
  "discard",
  "skip",
  "drop",
  "erase",
  "scrap",
  "set aside",
  "throw out",
  "pay no attention to",
  "do not follow",
  "don't follow",
  "stop following",
]);
const POSITION = words([
  "previous",
  "previously",
  "prior",
  "preceding",
  "above",
  "earlier",
  "initial",
  "original",
  "foregoing",
  "former",
  "old",
  "first",
  "your",
  "system",
  "developer",
  "safety",
]);
const DIRECTIVES = words([
  "instructions?",
  "instructs",
  "rules",
  "directions?",
  "directives?",
  "guidelines",
  "guidance",
  "prompts?",
  "commands?",
  "orders",
  "context",
  "constraints",
  "programming",
  "training",
  "restrictions",
  "polic(?:y|ies)",
  "filters",
  "safeguards",
  "tasks?",
  "messages?",
  "conversation",
  "text",
  "input",
  "information",
  "content",
  "request",
  "settings",
]);

export const OVERRIDE_RULES: readonly Rule[] = [
  {
    family: "instruction-override",
    triggers: [
      "ignor",
      "disregard",
      "forget",
      "overrid",
      "overwrit",
      "bypass",
      "neglect",
      "dismiss",
      "abandon",
      "discard",
      "skip",
      "drop",
      "erase",
      "scrap",
      "aside",
      "throw",
      "attention",
      "follow",
    ],
    pattern: re(`\\b${OVERRIDE_VERBS}\\b${gap(40)}\\b${POSITION}\\b${gap(30)}\\b${DIRECTIVES}\\b`),
    weight: 0.9,
  },
  {
    // The same with the spaces gone, as spelt-out letters without word gaps decode ("ignoreallprevious...").
    family: "instruction-override",
    triggers: ["ignore", "disregard", "forget"],
    pattern: re(
      `(?:ignore|disregard|forget)(?:all|any|the|your)?(?:previous|prior|above|earlier|preceding)(?:instructions?|rules|prompts?|directions|commands|text)`,
    ),
    weight: 0.9,
  },
  {
    family: "instruction-override",
    triggers: ["ignor", "disregard", "forget"],
    pattern: re(
      `\\b(?:ignore|disregard|forget)${S}(?:all${S}|about${S})?(?:everything|anything|all|that|what)${S}(?:above|before|prior|previously|earlier|so far|you(?: have)? (?:know|learned|were told|have been told)|(?:i|we) (?:said|told you|discussed|wrote)|(?:that )?was said)\\b`,
    ),
    weight: 0.85,
  },
  {
    family: "instruction-override",
    triggers: ["ignor", "disregard", "forget"],
    pattern: re(`\\b(?:ignore|disregard|forget)${S}(?:the${S})?(?:above|preceding|foregoing)\\b`),
    weight: 0.8,
  },
  {
    family: "instruction-override",
    triggers: ["ignor", "vergiss", "vergessen", "missacht", "beachte"],
    pattern: re(
      `\\b(?:ignorier\\w{0,3}|vergiss|vergessen|missachte\\w{0,3}|beachte nicht)\\b${gap(40)}\\b(?:alle[nsm]?|vorherige[nmsr]?|bisherige[nmsr]?|vorangegangene[nmsr]?|obige[nmsr]?|vorige[nmsr]?|fruhere[nmsr]?|deine[nmsr]?|ihre[nmsr]?)\\b${gap(30)}\\b(?:anweisung(?:en)?|instruktion(?:en)?|befehle?|regeln|aufgaben?|auftrage|informationen|angaben|vorgaben|eingaben|anordnungen)\\b`,
    ),
    weight: 0.85,
  },
  {
    family: "instruction-override",
    triggers: ["vergiss", "vergessen", "ignorier"],
    pattern: re(
      `\\b(?:vergiss|vergessen sie|ignoriere|ignorieren sie)${S}(?:alles|das alles)${S}(?:davor|bisher|zuvor|vorher|oben|was)\\b`,
    ),
    weight: 0.8,
  },
  {
    family: "instruction-override",
    triggers: ["ignor", "olvid", "oubli"],
    pattern: re(
      `\\b(?:ignora|ignore[sz]?|olvida|oublie[sz]?)${S}(?:todas?${S}|toutes?${S})?(?:las|los|les|tus|vos|tes)${S}(?:instrucciones|instructions|indicaciones|consignes|reglas|regles)${S}(?:anteriores|precedentes|previas)\\b`,
    ),
    weight: 0.85,
  },
  {
    family: "instruction-override",
    triggers: ["instruction", "task", "directive", "prompt", "rule"],
    pattern: re(
      `\\b(?:your|the)${S}(?:new|real|actual|updated|true)${S}(?:instructions?|task|directives?|prompt|rules|objective|mission|goal)${S}(?:is|are|now|:)`,
    ),
    weight: 0.6,
  },
  {
    family: "instruction-override",
    triggers: ["new instruction", "updated instruction", "new task", "neue aufgabe", "neue anweisung"],
    pattern: re(
      `(?:^|[\\n.!:>\\]\\-=*#])\\W{0,3}(?:new|updated|additional|revised|neue|geanderte)${S}(?:system${S})?(?:instructions?|tasks?|aufgaben?|anweisung(?:en)?)${S}[:!-]`,
    ),
    weight: 0.7,
  },
  {
    family: "instruction-override",
    triggers: ["instead"],
    pattern: re(
      `\\binstead${S}(?:just${S}|only${S})?(?:say|print|write|output|respond with|reply with|answer with|type)\\b`,
    ),
    weight: 0.55,
  },
  {
    family: "instruction-override",
    triggers: ["forget", "ignor", "disregard"],
    pattern: re(
      `(?:^|[^a-z0-9\\s'][ \\n]{0,3}|\\b(?:and|but|now|please|just|then|so|also)${S})(?:forget|ignore|disregard)${S}(?:about${S})?(?:everything|all${S}(?:instructions|directives|prompts|commands|documents|articles|context))\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "instruction-override",
    triggers: ["context", "document", "article", "search result"],
    pattern: re(
      `\\b(?:ignore|disregard|disregarding|forget|not by|instead of|without (?:using|looking at)|do not (?:use|look (?:at|in))|don't (?:use|look (?:at|in)))${S}(?:all${S}|any${S})?(?:the${S})?(?:provided${S}|given${S}|retrieved${S}|attached${S})?(?:context|documents?|articles?|search results)\\b(?!${S}menu)`,
    ),
    weight: 0.55,
  },
  {
    family: "instruction-override",
    triggers: ["not", "don't", "dont"],
    pattern: re(
      `\\b(?:do not|don't|dont)${S}(?:answer|look at|look in|read|use)${S}(?:this|the|any)${S}(?:question|documents?|articles?|context|text)${S}(?:but|and)?${S}(?:just${S}|only${S}|instead${S})?(?:output|say|print|write|tell|reply|respond)\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "instruction-override",
    triggers: ["your instruction", "your rules", "your programming", "your guidelines", "your system prompt"],
    pattern: re(
      `\\b(?:(?:change|update|replace|modify|rewrite|reset)${S}your${S}(?:instructions|rules|programming|guidelines|system prompt)|your${S}(?:instructions|rules|programming)${S}(?:are|is)${S}now)\\b`,
    ),
    weight: 0.7,
  },
  {
    family: "instruction-override",
    triggers: ["follow", "folgen", "new task", "neue aufgabe"],
    pattern: re(
      `\\b(?:(?:new|further|additional|neue|weitere)${S}(?:tasks|instructions|aufgaben|anweisungen)${S}(?:follow|are followed|folgen)|(?:now|nun|jetzt)${S}(?:folgen|follow)${S}(?:new|further|neue|weitere)${S}(?:tasks|instructions|aufgaben|anweisungen)|(?:focus|concentrate)${S}(?:now${S})?on${S}(?:your|the)${S}new${S}(?:task|assignment|instructions?)|konzentriere${S}dich${S}(?:jetzt${S}|nun${S})?auf${S}(?:deine|die)${S}neue${S}aufgabe)\\b`,
    ),
    weight: 0.7,
  },
  {
    family: "instruction-override",
    triggers: ["information", "instruction", "task", "assignment", "context"],
    pattern: re(
      `\\b(?:previous|prior|preceding|earlier|all)${S}(?:information|instructions|tasks|assignments|context)\\b${gap(30)}\\b(?:behind|out of your (?:head|mind|memory)|(?:is|are) (?:now )?(?:irrelevant|void|obsolete|cancel+ed|no longer valid))`,
    ),
    weight: 0.7,
  },
  {
    family: "instruction-override",
    triggers: ["vorherig", "bisherig", "vorangegangen", "obigen", "vorigen", "abweichend", "alle"],
    pattern: re(
      `\\b(?:(?:obigen|vorherigen|bisherigen|vorangegangenen|vorigen)${S}(?:anweisungen|ausfuhrungen|instruktionen|befehle|angaben|informationen|aufgaben)${S}(?:ignorieren|vergessen|missachten)|abweichend${S}(?:zu|von)${S}(?:den${S})?(?:vorherigen|bisherigen|obigen)${S}(?:instruktionen|anweisungen|vorgaben)|(?:vorherigen|bisherigen|vorangegangenen|alle)${S}(?:informationen|anweisungen|aufgaben|angaben|instruktionen)\\b${gap(40)}\\b(?:hinter sich|aus dem kopf|irrelevant|ungultig))\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "instruction-override",
    triggers: ["vergiss", "vergessen", "ignorier"],
    pattern: re(
      `(?:^|[.!?,:;\\-\\n]\\W{0,3})(?:vergiss|vergessen sie|ignoriere|ignorieren sie)${S}(?:nun${S}|jetzt${S})?alles\\b`,
    ),
    weight: 0.75,
  },
  {
    family: "instruction-override",
    triggers: ["olvid", "oubli", "zaboravi", "vergeet", "dimentic", "esquec"],
    pattern: re(
      `\\b(?:olvida|olvide|olvidate|oublie|oubliez|zaboravi|vergeet|dimentica|esqueca|esquece)${S}(?:todo${S}|todas${S}|toutes${S}|sve${S}|alle${S}|tutte${S}|tudo${S}){0,1}(?:las${S}|les${S}|le${S}|as${S}|de${S})?(?:instrucciones|instructions|instrukcije|instructies|istruzioni|instrucoes|indicaciones|consignes)\\b`,
    ),
    weight: 0.8,
  },
  {
    family: "instruction-override",
    triggers: ["everything", "all"],
    pattern: re(
      `\\b(?:ignore|forget|disregard)${S}(?:everything|all${S}(?:of${S})?(?:that|this|above))${S}(?:and|,)${S}(?:just${S}|only${S}|instead${S})?(?:output|say|print|write|tell|reply|respond|answer)\\b`,
    ),
    weight: 0.8,
  },
  {
    family: "instruction-override",
    triggers: ["told", "instructed", "programmed"],
    pattern: re(
      `\\b(?:despite|regardless of|contrary to|no matter)${S}what${S}(?:you(?:'ve| have| were)?|they(?:'ve| have)?)${S}(?:been${S})?(?:told|instructed|programmed)\\b`,
    ),
    weight: 0.7,
  },
  {
    family: "instruction-override",
    triggers: ["question", "prompt", "message"],
    pattern: re(
      `\\b(?:every time|whenever|for every|to every|to all|to any)${S}(?:you${S})?(?:get|receive|are asked|see)?${S}(?:a${S}|any${S}|my${S})?(?:question|prompt|message|input)s?${S}(?:just${S}|only${S})?(?:answer|respond|reply|say)${S}(?:only${S})?(?:with${S})?["']`,
    ),
    weight: 0.7,
  },
  {
    // The canonical "ignore all previous instructions" in languages the Latin rules above do not read.
    family: "instruction-override",
    triggers: [
      "инструкц",
      "указани",
      "忽略",
      "忽视",
      "无视",
      "指令",
      "指示",
      "negeer",
      "zignoruj",
      "ignora",
      "ignore todas",
    ],
    pattern: re(
      `(?:(?:забудь|забудьте|игнорируй|игнорируйте|проигнорируй|проигнорируйте)${S}(?:все${S})?(?:предыдущие${S}|прошлые${S}|прежние${S})?(?:инструкции|указания|правила)|(?:忽略|忽视|无视|忘记)[^。！？\\n]{0,8}(?:指令|指示|说明|提示)|\\bnegeer${S}(?:alle${S})?(?:vorige${S}|eerdere${S})?instructies\\b|\\bzignoruj${S}(?:wszystkie${S})?(?:poprzednie${S})?instrukcje\\b|\\bignora${S}(?:tutte${S})?(?:le${S})?(?:istruzioni|instrucoes)\\b|\\bignore${S}todas${S}as${S}instrucoes\\b)`,
    ),
    weight: 0.85,
  },
  {
    // "Fake completion" (Liu et al., Formalizing and Benchmarking Prompt Injection, 2023): declare the
    // task finished, then start another.
    family: "instruction-override",
    triggers: ["complete", "done", "finished", "erledigt", "abgeschlossen"],
    pattern: re(
      `(?:\\b(?:task|that|this|it)${S}(?:is|was|has been|ist)${S}(?:now${S})?(?:complete|completed|done|finished|erledigt|abgeschlossen)\\b${gap(40)}\\b(?:now|nun|jetzt|next)\\b|\\b(?:answer|response|antwort|output)${S}:${S}(?:the${S})?(?:task${S})?(?:is${S})?(?:complete|completed|done|finished)\\b)`,
    ),
    weight: 0.65,
  },
  {
    // Praise for the last answer, then a new task: the context switch of deepset-style attacks.
    family: "instruction-override",
    triggers: [
      "done",
      "good",
      "great",
      "excellent",
      "fantastic",
      "gut",
      "ausgezeichnet",
      "hervorragend",
      "super",
      "congratulations",
      "gluckwunsch",
    ],
    pattern: re(
      `\\b(?:well done|good job|great job|great work|very good|very well|excellent|fantastic|simply great|congratulations|sehr gut|gut gemacht|ausgezeichnet|hervorragend|super gemacht|herzlichen gluckwunsch)\\b[^\\n]{0,80}?\\b(?:now|nun|jetzt)\\b${gap(50)}\\b(?:new|another|further|next|other|neue|neuen|weitere|weiteren|andere|anderen|folgende|folgender|following)${S}(?:task|challenge|assignment|tasks|instructions?|aufgabe|aufgaben|herausforderung|anweisungen)\\b`,
    ),
    weight: 0.65,
  },
  {
    // Interruption markers before an order ("STOP - write:", "Attention - stop -").
    family: "instruction-override",
    triggers: ["stop", "halt", "attention", "achtung"],
    pattern: re(
      `(?:\\b(?:attention|achtung|important|wichtig|warning|urgent)${S}[-!:]${S}(?:stop|stopp|halt)\\b|\\b(?:stop|stopp|halt)${S}[-:!]${S}(?:now${S}|jetzt${S})?(?:write|say|print|output|schreib\\w{0,2}|sag\\w?|ignore|ignoriere|forget|vergiss)\\b)`,
    ),
    weight: 0.65,
  },
  {
    // Escape characters (Liu et al.): runs of written-out newlines to fake the end of the prompt.
    family: "delimiter-injection",
    triggers: ["\\n"],
    pattern: re(`(?:\\\\ ?n ?){4,}`),
    weight: 0.55,
  },
  {
    // PromptInject's rogue strings and few-shot hijacks.
    family: "instruction-override",
    triggers: ["pwned"],
    pattern: re(`\\b(?:haha${S}pwned|i have been pwned|been pwned!)`),
    weight: 0.7,
  },
  {
    family: "instruction-override",
    triggers: ["user", "original", "actual"],
    pattern: re(
      `\\b(?:ignore|disregard|forget|don't answer|do not answer)${S}(?:the${S}|their${S})?(?:user|user's|users'|original|actual)${S}(?:question|request|query|instructions?|prompt|task|message)s?\\b`,
    ),
    weight: 0.8,
  },
];
