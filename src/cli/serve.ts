import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createStaticServer, listen } from "../server/static-server.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { intOption, parseCommandArgs } from "./args.ts";
import type { Command } from "./main.ts";

/** Where `vite build` (npm run build:web) puts the app. */
export const DEFAULT_WEB_ROOT = resolve(fileURLToPath(new URL("../../dist/web", import.meta.url)));

export const command: Command = {
  help: `Usage: digitkit serve [--port N] [--host ADDR] [--root DIR]

Serves the built web app (dist/web, made by \`npm run build:web\`; \`npm start\` builds and serves).
Static files only, with a Content-Security-Policy that allows nothing but this origin.

Options:
  --port N     port to listen on (default 8080; 0 picks a free one)
  --host ADDR  address to listen on (default 127.0.0.1)
  --root DIR   folder to serve (default dist/web)`,

  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      port: { type: "string" },
      host: { type: "string" },
      root: { type: "string" },
    });
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`);
    }
    const port = intOption("port", values.port, 8080, 0, 65535);
    const host = values.host ?? "127.0.0.1";
    const root = values.root ? resolve(values.root) : DEFAULT_WEB_ROOT;
    if (!existsSync(join(root, "index.html"))) {
      throw new UserError(`no built app in ${root} (run \`npm run build:web\` or \`npm start\`)`);
    }
    const server = createStaticServer(root);
    let url: string;
    try {
      url = await listen(server, port, host);
    } catch (error) {
      throw new UserError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
    }
    console.log(`DigitKit app: ${url}`);
    // Serve until interrupted; close cleanly on Ctrl-C or SIGTERM.
    await new Promise<void>((done) => {
      const stop = () => {
        server.close(() => done());
        server.closeAllConnections();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  },
};
