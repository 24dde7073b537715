/**
 * The support-desk demo's server configuration. No model is configured: the server uses
 * OPENAI_API_KEY / OPENAI_BASE_URL when they are set, and the offline extractive model otherwise.
 */
// `keel/server` once package.json exports it (same module as the server runs, so one copy of Keel).
import { defineConfig } from "keel/server";
import { supportDesk } from "./workflow.js";

export default defineConfig({
  collections: {
    // Pages without `access` in their front matter are readable by group "everyone"; `access: [staff]`
    // pages only by principals in group "staff".
    docs: { acl: true, sources: ["./docs"] },
  },
  workflows: { "support-desk": supportDesk },
});
