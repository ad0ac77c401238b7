/** The bundle's key: every file under `root`/src (path and content), tsconfig.json, package.json, esbuild's version. */
export function sourceHash(root: string, esbuildVersion: string): string;
/** The bundle's entry URL, built now if the sources changed; undefined if it cannot be built. */
export function bundledCli(): Promise<string | undefined>;
/** A cheap stamp of the bundle's inputs (count, sizes, newest mtime): equal stamps skip hashing. */
export function inputStamp(root: string): string;
/** Builds the bundle unless the current one matches the sources; returns its entry URL; throws if it cannot. */
export function buildCli(): Promise<string>;
