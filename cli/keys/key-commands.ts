/** The key store's edits live beside the gateway (the console makes them too). */
export * from '../../lambda/keys/key-edits.js';
