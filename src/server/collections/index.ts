// The collections API (`addCollectionRoutes`), configured sources (`ingestSources`), and the
// conventions the CLI shares with them (file ids, access from a document's own `access` field, the
// `everyone` group).
export { EVERYONE, toCitation, withEveryone } from "./documents.js";
export { type FileRoot, ingestFiles, listFiles, type SourceFile } from "./files.js";
export { addCollectionRoutes } from "./routes.js";
export type { Citation } from "./schemas.js";
export {
  type IngestSourcesOptions,
  ingestSources,
  type SourcesProgress,
  type SourcesReport,
} from "./sources.js";
