export {
  callTool,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  type ToolOutcome,
  tool,
} from "./tool.js";
