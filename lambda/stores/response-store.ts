/**
 * Stored Responses API answers (`store: true`), for `GET /v1/responses/{id}`, `DELETE` and the next
 * turn's `previous_response_id`. Each response belongs to the API key that made it: one key never
 * reads another's (a miss and someone else's look the same, a 404).
 */
export interface StoredResponse {
  id: string;
  /** The API key that made it. */
  keyId: string;
  /** The conversation's input items up to this response (earlier turns first). */
  input: unknown[];
  /** The response object as the client got it. */
  response: Record<string, unknown>;
}

export interface ResponseStore {
  /** Written before the answer completes, so that the next turn can read it at once. */
  put(record: StoredResponse): Promise<void>;
  get(id: string, keyId: string): Promise<StoredResponse | undefined>;
  /** Whether it existed (and was the key's). */
  delete(id: string, keyId: string): Promise<boolean>;
}
