import { createReadStream, createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { brotliDecompressSync, createBrotliDecompress } from "node:zlib";
import { extractTar } from "./untar.js";

/**
 * The Chromium that ships inside the @sparticuz/chromium npm package (brotli-compressed in its
 * `bin/` folder), made runnable. We read its files ourselves rather than call its
 * `executablePath()`: that one writes straight to /tmp/chromium (shared by every user, mode 0700,
 * and half-written while a parallel process already sees it "exists"), and changes process.env on
 * import. Here each user and package version gets its own folder, filled in a private staging folder
 * and moved into place with one rename, so parallel runs (test workers) never see a partial binary.
 * Nothing is downloaded: everything comes from node_modules.
 */
export interface BundledChromium {
  readonly executablePath: string;
  /** Variables Chromium needs: its own NSS/NSPR libraries and fonts, so no system package is needed. */
  readonly env: Readonly<Record<string, string>>;
}

const COMPLETE_MARKER = ".complete";

function packageFiles(): { binDir: string; version: string } {
  const require = createRequire(import.meta.url);
  // The package exports only its code (build/cjs/index.cjs): its root is two folders up.
  const root = join(dirname(require.resolve("@sparticuz/chromium")), "..", "..");
  const packageJson = join(root, "package.json");
  const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string };
  return { binDir: join(root, "bin"), version };
}

function envFor(dir: string): Record<string, string> {
  const libs = join(dir, "al2023", "lib");
  const inherited = process.env["LD_LIBRARY_PATH"];
  return {
    LD_LIBRARY_PATH: inherited ? `${libs}:${inherited}` : libs,
    FONTCONFIG_FILE: join(dir, "fonts.conf"),
  };
}

function fontsConf(dir: string): string {
  // The bundled fonts first (the same on every machine), then the system's, if it has any.
  return [
    `<?xml version="1.0"?>`,
    `<!DOCTYPE fontconfig SYSTEM "fonts.dtd">`,
    `<fontconfig>`,
    `  <dir>${join(dir, "fonts", "fonts")}</dir>`,
    `  <dir>/usr/share/fonts</dir>`,
    `  <dir>/usr/local/share/fonts</dir>`,
    `  <cachedir>${join(dir, "fonts-cache")}</cachedir>`,
    `</fontconfig>`,
    ``,
  ].join("\n");
}

async function fill(staging: string, binDir: string, finalDir: string): Promise<void> {
  await pipeline(
    createReadStream(join(binDir, "chromium.br")),
    createBrotliDecompress(),
    createWriteStream(join(staging, "chromium"), { mode: 0o700 }),
  );
  extractTar(brotliDecompressSync(readFileSync(join(binDir, "fonts.tar.br"))), join(staging, "fonts"));
  extractTar(brotliDecompressSync(readFileSync(join(binDir, "al2023.tar.br"))), join(staging, "al2023"));
  // fonts.conf names absolute folders: write it for the final place, not the staging one.
  await writeFile(join(staging, "fonts.conf"), fontsConf(finalDir));
  await writeFile(join(staging, COMPLETE_MARKER), "");
}

/** Unpacks the bundled Chromium once per user and package version (about 4 s), then reuses it. */
export async function bundledChromium(): Promise<BundledChromium> {
  const { binDir, version } = packageFiles();
  const user = typeof process.getuid === "function" ? String(process.getuid()) : "user";
  const name = `campaignctl-chromium-${version}-${user}`;
  const dir = join(tmpdir(), name);
  const ready = () => existsSync(join(dir, COMPLETE_MARKER));
  if (!ready()) {
    const staging = await mkdtemp(join(tmpdir(), `${name}.staging-`));
    try {
      await fill(staging, binDir, dir);
      await rename(staging, dir).catch((error: unknown) => {
        // Another process finished first: use its copy.
        if (!ready()) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return { executablePath: join(dir, "chromium"), env: envFor(dir) };
}
