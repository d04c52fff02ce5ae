// What both baselines answer: a JSON body of `?size=N` bytes, so each scenario's baseline sends as
// many bytes as the real endpoint does (and the two baselines send the very same bytes).
const bodies = new Map();

export function bodyOfSize(size) {
  let body = bodies.get(size);
  if (!body) {
    body = JSON.stringify({ code: '200', pad: 'x'.repeat(Math.max(0, size - 24)) });
    bodies.set(size, body);
  }
  return body;
}

export const sizeOf = (url) => Number(/[?&]size=(\d+)/.exec(url ?? '')?.[1] ?? 300);
