// Builds dist/main.js, the bundle Mattermost loads for the plugin. React comes from the web
// app itself (window.React, as Mattermost gives it to plugins): `react` is mapped to that
// global, never bundled, so the panel runs on the very React instance that renders it.
import {build} from 'esbuild';

const globals = {react: 'React', 'react-dom': 'ReactDOM'};

const mattermostGlobals = {
    name: 'mattermost-globals',
    setup(b) {
        b.onResolve({filter: /^(react|react-dom)$/}, (args) => ({path: args.path, namespace: 'mm-global'}));
        b.onLoad({filter: /.*/, namespace: 'mm-global'}, (args) => ({
            contents: `module.exports = window.${globals[args.path]};`,
            loader: 'js',
        }));
    },
};

await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    outfile: 'dist/main.js',
    jsx: 'transform',
    jsxFactory: 'React.createElement',
    jsxFragment: 'React.Fragment',
    loader: {'.css': 'text', '.svg': 'dataurl'},
    plugins: [mattermostGlobals],
    logLevel: 'warning',
});
