// Rules of the potatocloud card API that are not about one card.
import type { AppRecord } from '../types';

/** createCardMy needs the app's "API 生成卡密" switch. */
export function mayCreateCardsByApi(app: AppRecord): boolean {
  return app.settings.apiCardCreation;
}
