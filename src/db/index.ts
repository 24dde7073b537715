export {
  type Migration,
  migrate,
  type OpenSqliteOptions,
  openSqlite,
  type SqliteDatabase,
} from "./sqlite.js";
