// Card kinds and the shapes a card takes outside the domain: new rows and potatocloud objects.
import { type CardType, cardTypeDurationSeconds, type PotatoCard } from '@kami-verify/core';
import type { NewCard } from '../store/storage';
import type { CardKind, CardRecord } from './types';

/** The columns a {@link CardKind} fixes: potato type, duration and uses. */
export function kindColumns(card: CardKind): Pick<NewCard, 'kind' | 'type' | 'durationSeconds' | 'uses'> {
  switch (card.kind) {
    case 'time':
      return {
        kind: 'time',
        type: card.type,
        durationSeconds: cardTypeDurationSeconds(card.type),
        uses: null,
      };
    case 'permanent':
      return { kind: 'permanent', type: 5, durationSeconds: null, uses: null };
    case 'count':
      if (!Number.isInteger(card.uses) || card.uses < 1) throw new RangeError('a count card needs uses >= 1');
      return { kind: 'count', type: null, durationSeconds: null, uses: card.uses };
  }
}

/** potatocloud type 0–4 is a time card, 5 a permanent one. */
export function kindForPotatoType(type: number): CardKind {
  if (!Number.isInteger(type) || type < 0 || type > 5)
    throw new RangeError(`card type must be 0..5, got ${type}`);
  return type === 5 ? { kind: 'permanent' } : { kind: 'time', type: type as Exclude<CardType, 5> };
}

export function toPotatoCard(card: CardRecord, state: number): PotatoCard {
  return {
    id: card.id,
    createdDate: card.createdAt,
    modifiedDate: card.modifiedAt,
    status: card.status,
    ip: card.createdIp,
    appId: card.appId,
    cardStr: card.cardStr,
    exportState: 1,
    state,
    type: card.type ?? -1,
  };
}
