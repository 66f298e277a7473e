// esbuild's loader (build.mjs): an image as a data: URL.
declare module '*.svg' {
    const dataUrl: string;
    export default dataUrl;
}
