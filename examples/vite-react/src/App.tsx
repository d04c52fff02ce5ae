import { type FormEvent, useEffect, useState } from 'react';
import { type Licence, login } from './licence';

type State =
  | { kind: 'login'; error?: string; busy?: boolean }
  | { kind: 'licensed'; licence: Licence; beats: number }
  | { kind: 'lost'; reason: string };

export function App() {
  const [state, setState] = useState<State>({ kind: 'login' });
  const [card, setCard] = useState('');
  const licence = state.kind === 'licensed' ? state.licence : undefined;

  useEffect(() => {
    if (!licence) return;
    const hb = licence.heartbeat;
    const onBeat = () => setState((s) => (s.kind === 'licensed' ? { ...s, beats: s.beats + 1 } : s));
    const onLost = (error: Error) => setState({ kind: 'lost', reason: error.message });
    hb.on('beat', onBeat);
    hb.on('lost', onLost);
    // Only detach here: React's StrictMode runs effects twice in development, and the loop
    // must survive that. It stops by itself when the licence is lost.
    return () => {
      hb.off('beat', onBeat);
      hb.off('lost', onLost);
    };
  }, [licence]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState({ kind: 'login', busy: true });
    try {
      setState({ kind: 'licensed', licence: await login(card.trim()), beats: 0 });
    } catch (error) {
      setState({ kind: 'login', error: (error as Error).message });
    }
  }

  if (state.kind === 'licensed') {
    return (
      <main data-state="licensed">
        <h1>Licensed</h1>
        <p>
          Valid until <span data-testid="end-time">{state.licence.endTime}</span>, amount{' '}
          <span data-testid="amount">{state.licence.amount}</span>
        </p>
        <p>
          Heartbeats: <span data-testid="beats">{state.beats}</span>
        </p>
      </main>
    );
  }
  if (state.kind === 'lost') {
    return (
      <main data-state="lost">
        <h1>Licence lost</h1>
        <p data-testid="lost-reason">{state.reason}</p>
        <button type="button" onClick={() => setState({ kind: 'login' })}>
          Log in again
        </button>
      </main>
    );
  }
  return (
    <main data-state="login">
      <h1>Log in with your card</h1>
      <form onSubmit={submit}>
        <input aria-label="card" value={card} onChange={(e) => setCard(e.target.value)} />
        <button type="submit" disabled={state.busy}>
          Log in
        </button>
      </form>
      {state.error && <p data-testid="login-error">{state.error}</p>}
    </main>
  );
}
