// The plugin id comes from plugin.json, the only place it is written: esbuild inlines just
// this field at build time (tsc checks the import with resolveJsonModule).
import {id} from '../../plugin.json';

export const PLUGIN_ID: string = id;
