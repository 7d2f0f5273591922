// jsfive ships no type declarations: these are the parts src/import/hdf5.ts uses.
declare module "jsfive" {
  export class Group {
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    get(path: string): Group | Dataset | null | undefined;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    readonly shape: number[];
    readonly dtype: string | unknown[];
    readonly attrs: Record<string, unknown>;
    readonly value: ArrayLike<number>;
    readonly chunks: number[] | null;
  }
  export const Filters: Map<
    number,
    (buffer: ArrayBuffer, itemSize: number, clientData?: unknown) => ArrayBuffer
  >;
}
