/**
 * The dependency-free contract shared by the server, channel adapters, plugins, widget and
 * inbox. Nothing in this folder imports anything outside it.
 */
export * from './domain.js';
export * from './errors.js';
export * from './frames.js';
export * from './channel.js';
export * from './web.js';
