/**
 * Rules for text that reaches an agent: tool-abuse (asking it to act destructively or send data
 * away), markdown-image-exfiltration (an image whose URL carries data out when rendered) and
 * assistant-directive (text in a document that talks to the model reading it; indirect sources only).
 */
import { AI, gap, type Rule, re, S } from "./kit.js";

export const AGENT_RULES: readonly Rule[] = [
  {
    family: "tool-abuse",
    triggers: [
      "send",
      "forward",
      "email",
      "upload",
      "post",
      "transmit",
      "leak",
      "exfiltrat",
      "share",
      "submit",
    ],
    pattern: re(
      `\\b(?:send|forward|email|e-mail|upload|post|transmit|leak|exfiltrate|share|submit|copy)${S}(?:all${S}|the${S}|this${S}|our${S}|every${S}|your${S}|any${S}|entire${S}|full${S}|whole${S})*(?:conversation|chat|history|transcript|messages|emails|inbox|contacts|credentials|passwords?|api${S}keys?|tokens|secrets?|cookies|session|(?:user'?s?|personal|private|customer|confidential)${S}(?:data|information|details|files)|system prompt)\\b${gap(40)}\\bto${S}(?:https?:|www\\.|[\\w.-]{1,40}@|this${S}|the following${S}|my${S}|an? (?:external${S})?)`,
    ),
    weight: 0.8,
  },
  {
    family: "tool-abuse",
    triggers: ["tool", "plugin", "action"],
    pattern: re(
      `\\b(?:call|invoke|use|run|execute|trigger|fire|activate)${S}the${S}[\\w-]{0,20}(?:${S})?(?:delete|remove|drop|wipe|erase|destroy|purge|transfer|payment|pay|send|email|mail|post|upload|exec|shell|terminal|browser|fetch|http|webhook)[\\w-]{0,20}${S}(?:tool|plugin|action)\\b`,
    ),
    weight: 0.7,
  },
  {
    family: "tool-abuse",
    triggers: ["user", "them"],
    pattern: re(
      `\\b(?:without|do not|don't|never)${S}(?:asking|telling|informing|notifying|alerting|confirming with|mentioning (?:it|this) to|tell|inform|notify|alert|ask)${S}(?:the${S})?(?:user|them)\\b`,
    ),
    weight: 0.7,
  },
  {
    family: "tool-abuse",
    triggers: ["silent", "secret", "quiet", "covert"],
    pattern: re(
      `\\b(?:silently|secretly|quietly|covertly)${S}(?:send|forward|email|upload|delete|transfer|post|call|execute|run|exfiltrate|copy|share)\\b`,
    ),
    weight: 0.7,
  },
  // ---- markdown-image exfiltration: an image whose URL carries data out when rendered
  {
    family: "markdown-image-exfiltration",
    triggers: ["]("],
    pattern: re(`!\\[[^\\]\\n]{0,200}\\]\\(\\s{0,3}((?:https?:)?//[^)\\s]{1,2000})`),
    weight: 0.85,
    accept: (m) => exfiltratingUrl(m[1] ?? ""),
  },
  {
    family: "markdown-image-exfiltration",
    triggers: ["<img"],
    pattern: re(`<img\\b[^>]{0,300}?\\bsrc\\s{0,3}=\\s{0,3}["']?((?:https?:)?//[^"'\\s>]{1,2000})`),
    weight: 0.85,
    accept: (m) => exfiltratingUrl(m[1] ?? ""),
  },
  {
    family: "markdown-image-exfiltration",
    triggers: ["url", "link", "image", "query", "parameter"],
    pattern: re(
      `\\b(?:append|add|include|insert|put|encode|replace)\\b${gap(40)}\\b(?:conversation|chat|history|messages?|summary|secrets?|passwords?|keys?|tokens?|(?:user'?s?|personal|private) (?:data|information|details|email))\\b${gap(40)}\\b(?:to|in|into|as)${S}(?:the${S}|this${S}|an?${S})?(?:url|link|query|image url|parameter|query string)\\b`,
    ),
    weight: 0.8,
  },
  // ---- assistant-directive: text in a document that talks to the model reading it (indirect only)
  {
    family: "assistant-directive",
    triggers: ["your"],
    pattern: re(
      `\\b(?:in|to|into|within|throughout|inside|at the (?:end|start|beginning) of|as part of)${S}(?:all${S})?your${S}(?:final${S}|next${S}|own${S})?(?:response|reply|answer|output|summary|code|solution|implementation|program|script|codebase|completion)s?\\b`,
    ),
    weight: 0.7,
    sources: ["retrieved", "tool"],
    accept: notAskingForReaderDetails,
  },
  {
    family: "assistant-directive",
    triggers: ["your"],
    pattern: re(
      `(?:^|\\n)\\W{0,3}(?:provide|give|write|format|deliver|present|render|compose|craft|make|keep|respond|reply|answer|end|start|begin|modify|rewrite|change|translate|encode|replace|reverse|add|include|insert|integrate|append|embed|incorporate)\\b${gap(60)}\\byour${S}(?:response|reply|answer|output|code|solution|implementation)s?\\b`,
    ),
    weight: 0.7,
    sources: ["retrieved", "tool"],
    accept: notAskingForReaderDetails,
  },
  {
    family: "assistant-directive",
    triggers: [
      "reading",
      "processing",
      "summari",
      "analy",
      "if you are",
      "if you're",
      "note to",
      "attention",
      "message to",
      "instructions for",
      "instruction for",
    ],
    pattern: re(
      `(?:\\b${AI}s?${S}(?:that (?:is |are )?|who (?:is |are )?)?(?:reading|processing|summari[sz]ing|analy[sz]ing|reviewing|parsing)${S}(?:this|these|the)\\b|\\bif you(?: are|'re)${S}(?:an?${S})?(?:${AI}|large language model)\\b|\\b(?:note|message|instructions?|attention)${S}(?:to|for)${S}(?:the${S}|any${S}|all${S})?${AI}s?\\b)`,
    ),
    weight: 0.8,
    sources: ["retrieved", "tool"],
  },
  {
    family: "assistant-directive",
    triggers: ["when", "while", "if you", "once", "after", "before"],
    pattern: re(
      `\\b(?:when|while|if|once|after|before)${S}(?:you|the${S}(?:ai|assistant|model|bot|llm))${S}(?:summari[sz]e|read|process|analy[sz]e|answer|respond to|reply to|review|translate|parse)${S}(?:this|these|the)${S}(?:email|e-mail|message|page|document|text|file|content|website|site|article|data|mail|result)s?\\b`,
    ),
    weight: 0.75,
    sources: ["retrieved", "tool"],
  },
  // The same without a subject: "when summarising this page, also...", "if asked about this email".
  // Reading, processing or analysing "this document" is left out: a report says that to people.
  {
    family: "assistant-directive",
    triggers: ["summari", "translating", "asked", "answering questions"],
    pattern: re(
      `\\b(?:when(?:ever)?|while|if|once|before|after)${S}(?:summari[sz]ing|translating|answering${S}questions${S}about|(?:you${S}are${S}|you're${S})?asked${S}(?:to${S}summari[sz]e|about))${S}(?:this|these)${S}(?:email|e-mail|message|page|document|text|file|content|website|site|article|passage|section|data|mail|thread|conversation|post|review|result)s?\\b`,
    ),
    weight: 0.75,
    sources: ["retrieved", "tool"],
  },
  // A document that has the model pass a message on: "tell the user to visit...". Ask, remind and
  // encourage are left out: admin guides ask and remind users to do things.
  {
    family: "assistant-directive",
    triggers: ["user", "reader", "recipient"],
    pattern: re(
      `\\b(?:tell|inform|urge|convince|persuade|instruct)${S}(?:the${S}|all${S})?(?:user|reader|recipient)s?${S}(?:to${S}(?:visit|click|go${S}to|open|download|install|sign${S}up|register|buy|purchase|subscribe|transfer|send|share|enter|update)|that)\\b`,
    ),
    weight: 0.7,
    sources: ["retrieved", "tool"],
  },
];

/**
 * The reader's own particulars: what a letter or a help page asks a person to put in their reply
 * ("quote your booking reference in your reply", "add your membership number to your reply").
 */
const READER_DETAILS = new RegExp(
  `\\byour${S}(?:full${S})?(?:name|(?:membership|account|customer|order|booking|reference|policy|ticket|case|claim|invoice|tracking|phone|member|student|employee|passport|registration|contact)${S}(?:number|reference|id|details|code))\\b|\\b(?:date of birth|postcode|zip code)\\b`,
);

/**
 * A "your reply" directive is an instruction to the model unless its sentence asks for the reader's
 * own particulars: a person is asked for their name and reference in their reply, a model is not.
 * Looks at most 200 characters either side, within the sentence.
 */
function notAskingForReaderDetails(m: RegExpExecArray): boolean {
  const text = m.input;
  const from = Math.max(0, m.index - 200);
  const to = Math.min(text.length, m.index + m[0].length + 200);
  let start = m.index;
  while (start > from && !/[.!?\n]/.test(text[start - 1]!)) start--;
  let end = m.index + m[0].length;
  while (end < to && !/[.!?\n]/.test(text[end]!)) end++;
  return !READER_DETAILS.test(text.slice(start, end));
}

const QUERY_PLACEHOLDER = /[{}<>$[\]]|%7b|%24|%3c/;
const EXFIL_WORDS =
  /(?:conversation|chat|history|secret|password|passwd|token|api_?key|apikey|session|cookie|prompt|summary|memory|message|email|user_?data|userdata|data=|info=|exfil|leak|steal|q=|query=|d=)/;

/** An image URL with a query that names or templates data: the shape of an exfiltration beacon. */
function exfiltratingUrl(url: string): boolean {
  const q = url.search(/[?&#=]/);
  if (q < 0) return false;
  const query = url.slice(q);
  return QUERY_PLACEHOLDER.test(query) || EXFIL_WORDS.test(query);
}
