// Lets a child `node` process run the TypeScript sources directly (node 20 cannot strip types):
// spawn it with `--import <this file's URL>`.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
