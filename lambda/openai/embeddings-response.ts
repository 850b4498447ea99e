/** OpenAI's embeddings answer. `base64` is little-endian float32, as the official SDKs decode it (their default). */
export function embeddingsResponse(model: string, vectors: number[][], format: 'float' | 'base64' | undefined, promptTokens: number) {
  return {
    object: 'list' as const,
    data: vectors.map((vector, index) => ({ object: 'embedding' as const, index, embedding: format === 'base64' ? toBase64(vector) : vector })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

function toBase64(vector: number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}
