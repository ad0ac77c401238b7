/** The bundle's key: every file under `root`/src (path and content), tsconfig.json, package.json, esbuild's version. */
export function sourceHash(root: string, esbuildVersion: string): string;
/** The bundle's entry URL, built now if the sources changed; undefined if it cannot be built. */
export function bundledCli(): Promise<string | undefined>;
