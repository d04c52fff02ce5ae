import { describe, expect, it } from 'vitest';
import { clientFor, sharedTestServer } from './helpers';

const shared = sharedTestServer();

describe('potatocloud card API over undici', () => {
  it('creates cards (JSON body, case-preserved askKey header) and logs in with one', async () => {
    const s = shared();
    const client = clientFor(s);
    const cards = await client.createCardMy({ type: 2, total: 3 });
    expect(cards).toHaveLength(3);
    for (const card of cards)
      expect(card).toMatchObject({ cardStr: expect.stringMatching(/^[0-9A-F]{32}$/), type: 2 });
    const session = await client.login(cards[0]!.cardStr, 'M');
    expect(session.amount).toBe('30天');
    const list = await client.getCardMyList({ cardStr: cards[1]!.cardStr });
    expect(list.cards.map((c) => c.cardStr)).toEqual([cards[1]!.cardStr]);
  });
});
