/** Ferry's version, one place for the CLI, the engine's "about" and the window. */
export const VERSION = '0.1.0';
