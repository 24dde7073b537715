export { type AgentEvent, type AgentOptions, agent } from "./agent.js";
export {
  type AgentState,
  type AgentStopReason,
  agentStateSchema,
  messageSchema,
  type UsageTotals,
} from "./agent-state.js";
export type { ToolApprovalDecision, ToolApprovalRequest } from "./agent-tools.js";
export { type StopCondition, stepCount, toolCalled } from "./stop.js";
export {
  callTool,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  type ToolOutcome,
  tool,
} from "./tool.js";
