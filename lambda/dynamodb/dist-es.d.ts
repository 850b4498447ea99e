// The DynamoDB SDK's own ES modules, imported one by one by sdk-slim.ts (typed there).
declare module '@aws-sdk/client-dynamodb/dist-es/*';
