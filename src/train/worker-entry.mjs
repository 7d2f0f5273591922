// Worker threads start here: register tsx's loader in this thread, then run the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
