/** The engine's version, reported in every run-start event. Kept in step with package.json. */
export const ENGINE_VERSION = '0.1.0';
