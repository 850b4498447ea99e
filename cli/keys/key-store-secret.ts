export * from '../../lambda/keys/key-store-secret.js';
