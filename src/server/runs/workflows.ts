/**
 * Configured workflows, built once with the server's dependencies. A graph is compiled once per
 * server, yet each run must call models with its own key's guards and record them under its own
 * run id: `deps.model()` therefore returns a provider that looks up the run in scope (an
 * AsyncLocalStorage set around each run) at every call, and builds that run's provider chain then.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { z } from "zod";
import { KeelError } from "../../errors/index.js";
import { type Checkpointer, type CompiledGraph, sqliteCheckpointer } from "../../graph/index.js";
import type { CallOptions, ModelRequest, Provider } from "../../model/index.js";
import type { Collection } from "../../rag/index.js";
import { ConfigError, type WorkflowDefinition, type WorkflowDeps } from "../config.js";
import { requestProvider } from "../gateway/providers.js";
import type { ApiKey } from "../keys.js";
import type { ModelRoute } from "../models.js";
import { parseOr400 } from "../routes.js";
import type { Runtime } from "../runtime.js";

export interface LoadedWorkflow {
  name: string;
  definition: WorkflowDefinition;
  graph: CompiledGraph<Record<string, unknown>>;
}

/** The run a workflow's code is executing for. */
export interface RunScope {
  runId: string;
  key: ApiKey;
}

const runs = new AsyncLocalStorage<RunScope>();

/** Runs `fn` as run `scope`: models and collections from `WorkflowDeps` act for its key and tenant. */
export function inRun<T>(scope: RunScope, fn: () => T): T {
  return runs.run(scope, fn);
}

/**
 * The run the calling workflow code executes for (its id, and the key with its tenant), if any.
 *
 * @example
 * .node("search", async (s) => ({ hits: await deps.collection("docs", currentRun()!.key.tenant).search(s.q) }))
 */
export function currentRun(): RunScope | undefined {
  return runs.getStore();
}

/** The graph's thread for a tenant's thread id: tenants never share a thread, whatever ids they pick. */
export const graphThread = (tenant: string, thread: string): string => `${tenant}/${thread}`;

/**
 * The checkpointer runs use, on the server's store file. Each write commits at once
 * (`commitIntervalMs: 0`): the group-commit transaction would otherwise stay open across ticks on
 * its own connection, and a write of the server's other connection to the same file (keys, budgets,
 * run events) would wait for it with the event loop blocked, so it would never commit.
 */
export function openRunCheckpointer(rt: Runtime): Checkpointer {
  return sqliteCheckpointer({ path: rt.storePath, commitIntervalMs: 0 });
}

export function workflowDeps(rt: Runtime, checkpointer: Checkpointer): WorkflowDeps {
  return {
    model(alias) {
      const route = rt.models.resolve(alias ?? rt.models.defaultAlias);
      return { provider: runProvider(rt, route), model: route.targets[0]!.model };
    },
    collection(name, tenant): Collection {
      const run = runs.getStore();
      const t = tenant ?? run?.key.tenant;
      if (run && t !== run.key.tenant) {
        throw new KeelError(
          "FORBIDDEN",
          `A run of tenant ${run.key.tenant} cannot open tenant ${t}'s collection "${name}"; pass the run's tenant (currentRun().key.tenant).`,
        );
      }
      if (!t) {
        throw new KeelError(
          "INVALID_REQUEST",
          `collection("${name}", tenant) needs the tenant outside a run; inside one it is the run's tenant.`,
        );
      }
      return rt.collection(t, name);
    },
    checkpointer,
  };
}

/** A provider whose every call goes through the chain of the run in scope (guards, audit). */
function runProvider(rt: Runtime, route: ModelRoute): Provider {
  const forRun = (): Provider => {
    const run = runs.getStore();
    if (!run) {
      throw new KeelError(
        "NO_RUN",
        `The model "${route.alias}" from deps.model() was called outside a run. Call it from a node of the workflow, which the runs API or \`keel run\` executes.`,
      );
    }
    return requestProvider(rt, run.key, route, { cache: false, runId: run.runId }).provider;
  };
  return {
    id: `route:${route.alias}`,
    capabilities: route.targets[0]!.provider.capabilities,
    generate(request: ModelRequest, options?: CallOptions) {
      try {
        return forRun().generate(request, options);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    stream(request: ModelRequest, options?: CallOptions) {
      return forRun().stream(request, options);
    },
  };
}

export function unknownWorkflow(rt: Runtime, name: string): KeelError {
  const known = Object.keys(rt.config.workflows ?? {});
  return new KeelError(
    "UNKNOWN_WORKFLOW",
    `No workflow "${name}"; this server has: ${known.join(", ") || "none"} (workflows in keel.config.ts).`,
  );
}

/** Builds one configured workflow's graph; a graph that cannot be built is a configuration error. */
export function loadWorkflow(rt: Runtime, name: string, deps: WorkflowDeps): LoadedWorkflow {
  const workflows = rt.config.workflows ?? {};
  const definition = Object.hasOwn(workflows, name) ? workflows[name] : undefined;
  if (!definition) throw unknownWorkflow(rt, name);
  let graph: CompiledGraph<Record<string, unknown>>;
  try {
    graph = definition.graph(deps);
  } catch (cause) {
    throw new ConfigError(`workflows.${name}`, `graph(deps) threw: ${(cause as Error)?.message ?? cause}`);
  }
  if (typeof graph?.stream !== "function" || typeof graph.getState !== "function") {
    throw new ConfigError(
      `workflows.${name}`,
      "graph(deps) must return a compiled graph (graph(...).compile()).",
    );
  }
  if (!graph.settings?.checkpointer) {
    throw new ConfigError(
      `workflows.${name}`,
      "the graph has no checkpointer, so its runs could not pause, be resumed or survive a restart: compile({ checkpointer: deps.checkpointer }).",
    );
  }
  return { name, definition, graph };
}

/**
 * The run input as the workflow's `input` schema parses it (the raw input without one); a mismatch
 * is an `INVALID_REQUEST` naming the field from the body, e.g. `input.question`.
 */
export function parseWorkflowInput(workflow: LoadedWorkflow, input: unknown): unknown {
  const schema = workflow.definition.input;
  return schema ? parseOr400(z.object({ input: schema }), { input }, "body").input : input;
}
