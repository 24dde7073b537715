import type { ApiKey } from "./keys.js";

/** What middleware puts on a request's context for the routes. */
export interface ServerEnv {
  Variables: {
    requestId: string;
    /** The authenticated key (routes behind `auth`). */
    key: ApiKey;
    /** The route pattern, for metrics (never the raw path). */
    routePattern: string;
  };
}
